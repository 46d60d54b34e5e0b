using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Tether.Server.Hubs;

/// <summary>The connection that called a hub and the request that carried the call.</summary>
public class HubCallerContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="request">The request.</param>
    /// <param name="connectionId">The calling connection.</param>
    public HubCallerContext(IRequest request, string connectionId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        ConnectionId = connectionId;
    }

    /// <summary>The calling connection.</summary>
    public virtual string ConnectionId { get; }

    /// <summary>The request's cookies.</summary>
    public virtual IRequestCookieCollection RequestCookies => Request.Cookies;

    /// <summary>The request's headers.</summary>
    public virtual IHeaderDictionary Headers => Request.Headers;

    /// <summary>The request's query string.</summary>
    public virtual IQueryCollection QueryString => Request.QueryString;

    /// <summary>The request's user.</summary>
    public virtual ClaimsPrincipal User => Request.User;

    /// <summary>The request.</summary>
    public virtual IRequest Request { get; }
}
