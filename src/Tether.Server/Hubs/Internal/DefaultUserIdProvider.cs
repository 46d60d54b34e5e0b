namespace Tether.Server.Hubs.Internal;

/// <summary>The user id is the authenticated user's name, as in classic SignalR.</summary>
internal sealed class DefaultUserIdProvider : IUserIdProvider
{
    public string? GetUserId(IRequest request) => request.User.Identity is { IsAuthenticated: true } identity ? identity.Name : null;
}
