using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Tether.Server;

/// <summary>A view of the HTTP request that raised a <see cref="PersistentConnection"/> event.</summary>
/// <remarks>
/// <see cref="PersistentConnection.OnDisconnected"/> raised by a timeout has no live request: it gets a snapshot of the
/// connection's last receive request, whose <see cref="HttpContext"/> is <see langword="null"/> and whose
/// <see cref="Headers"/> and <see cref="Cookies"/> are empty.
/// </remarks>
public interface IRequest
{
    /// <summary>The full URL of the request.</summary>
    Uri Url { get; }

    /// <summary>The path of the request, base path included.</summary>
    string LocalPath { get; }

    /// <summary>The query string, decoded.</summary>
    IQueryCollection QueryString { get; }

    /// <summary>The request headers.</summary>
    IHeaderDictionary Headers { get; }

    /// <summary>The request cookies.</summary>
    IRequestCookieCollection Cookies { get; }

    /// <summary>The user of the request (anonymous when not authenticated).</summary>
    ClaimsPrincipal User { get; }

    /// <summary>The live ASP.NET Core context, or <see langword="null"/> when the event has no live request.</summary>
    HttpContext? HttpContext { get; }
}
