using Microsoft.AspNetCore.Authorization;

namespace Tether.Server;

/// <summary>
/// Requires an authorized user to connect to a hub (on the class) or to call a method (on the method), as the classic
/// attribute does; mapped onto ASP.NET Core authorization, so a <see cref="Policy"/> works as well.
/// <see cref="Microsoft.AspNetCore.Authorization.AuthorizeAttribute"/> works on hubs too.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = true)]
public sealed class AuthorizeAttribute : Attribute, IAuthorizeData
{
    /// <summary>A comma-separated list of user names allowed; empty for any authenticated user.</summary>
    public string? Users { get; set; }

    /// <summary>A comma-separated list of roles, one of which the user must have.</summary>
    public string? Roles { get; set; }

    /// <summary>An authorization policy the user must satisfy.</summary>
    public string? Policy { get; set; }

    /// <summary>The authentication schemes the user is read from.</summary>
    public string? AuthenticationSchemes { get; set; }

    /// <summary>Accepted for source compatibility with classic hubs; outgoing calls are not filtered.</summary>
    public bool RequireOutgoing { get; set; }
}
