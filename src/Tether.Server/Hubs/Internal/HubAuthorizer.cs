using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// Checks <c>[Authorize]</c> on hubs and hub methods with ASP.NET Core authorization: the policy built from roles,
/// policy and schemes, plus the classic <c>Users</c> list.
/// </summary>
internal sealed class HubAuthorizer(IAuthorizationPolicyProvider policies, IAuthorizationService authorization)
{
    public Task<bool> CanConnectAsync(HubDescriptor hub, ClaimsPrincipal user) => IsAllowedAsync(hub.AuthorizeData, user);

    public async Task<bool> CanInvokeAsync(MethodDescriptor method, ClaimsPrincipal user) =>
        await IsAllowedAsync(method.Hub.AuthorizeData, user).ConfigureAwait(false)
        && (method.AllowsAnonymous || await IsAllowedAsync(method.AuthorizeData, user).ConfigureAwait(false));

    private async Task<bool> IsAllowedAsync(IReadOnlyList<IAuthorizeData> rules, ClaimsPrincipal user)
    {
        if (rules.Count == 0)
        {
            return true;
        }

        foreach (var rule in rules.OfType<AuthorizeAttribute>())
        {
            if (!string.IsNullOrWhiteSpace(rule.Users) && !ListContains(rule.Users, user.Identity?.Name))
            {
                return false;
            }
        }

        var policy = await AuthorizationPolicy.CombineAsync(policies, rules).ConfigureAwait(false);
        return policy is null || (await authorization.AuthorizeAsync(user, policy).ConfigureAwait(false)).Succeeded;
    }

    private static bool ListContains(string list, string? name) =>
        name is not null && list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains(name, StringComparer.OrdinalIgnoreCase);
}
