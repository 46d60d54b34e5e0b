using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Tether.Server.Internal;

/// <summary>The <see cref="IRequest"/> of a live request: a thin view over its <see cref="HttpContext"/>.</summary>
internal sealed class HttpRequestView(HttpContext context) : IRequest
{
    private Uri? _url;

    public Uri Url => _url ??= BuildUrl(context.Request);

    public string LocalPath => context.Request.PathBase.Add(context.Request.Path).Value ?? "/";

    public IQueryCollection QueryString => context.Request.Query;

    public IHeaderDictionary Headers => context.Request.Headers;

    public IRequestCookieCollection Cookies => context.Request.Cookies;

    public ClaimsPrincipal User => context.User;

    public HttpContext? HttpContext => context;

    /// <summary>Whether the request's URL can be built from its scheme, Host header, path and query.</summary>
    /// <remarks>
    /// Kestrel accepts some Host values that no <see cref="Uri"/> takes, e.g. a port above 65535. An HTTP/1.0 request
    /// without a Host header is valid: its URL uses <c>localhost</c>.
    /// </remarks>
    public static bool HasValidUrl(HttpRequest request) =>
        !request.Host.HasValue || Uri.TryCreate(request.GetEncodedUrl(), UriKind.Absolute, out _);

    /// <summary>
    /// The request's URL; never throws. When the Host header makes it unusable, the host is replaced by
    /// <c>localhost</c> so that path and query stay available to a handler that runs anyway (a disconnect after a timeout).
    /// </summary>
    private static Uri BuildUrl(HttpRequest request)
    {
        if (Uri.TryCreate(request.GetEncodedUrl(), UriKind.Absolute, out var url))
        {
            return url;
        }

        string local = UriHelper.BuildAbsolute(request.Scheme, new HostString("localhost"), request.PathBase, request.Path, request.QueryString);
        return Uri.TryCreate(local, UriKind.Absolute, out url) ? url : new Uri("http://localhost/");
    }

    /// <summary>Copies what outlives the request: URL, path, query and user (not headers or cookies).</summary>
    public RequestSnapshot Snapshot() => new(Url, LocalPath, new QueryCollection(context.Request.Query.ToDictionary(p => p.Key, p => p.Value)), User);
}

/// <summary>
/// What <see cref="PersistentConnection.OnDisconnected"/> gets after a timeout, when there is no live request:
/// the last receive request's URL, query and user. Headers and cookies are not kept, to keep idle connections small.
/// </summary>
internal sealed class RequestSnapshot(Uri url, string localPath, IQueryCollection query, ClaimsPrincipal user) : IRequest
{
    private static readonly IRequestCookieCollection s_noCookies = new EmptyCookies();

    public Uri Url { get; } = url;

    public string LocalPath { get; } = localPath;

    public IQueryCollection QueryString { get; } = query;

    public IHeaderDictionary Headers { get; } = new HeaderDictionary();

    public IRequestCookieCollection Cookies => s_noCookies;

    public ClaimsPrincipal User { get; } = user;

    public HttpContext? HttpContext => null;

    private sealed class EmptyCookies : IRequestCookieCollection
    {
        public int Count => 0;

        public ICollection<string> Keys => [];

        public string? this[string key] => null;

        public bool ContainsKey(string key) => false;

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, string>>().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
