using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.WebUtilities;

namespace Tether.Server.Internal;

/// <summary>The <see cref="IRequest"/> of a live request: a thin view over its <see cref="HttpContext"/>.</summary>
internal sealed class HttpRequestView(HttpContext context) : IRequest
{
    /// <summary>The last Host value that formed a valid URL: clients send the same one on every request.</summary>
    private static volatile string? s_lastValidHost;

    private Uri? _url;

    public Uri Url => _url ??= BuildUrl(UrlParts.Of(context.Request));

    public string LocalPath => UrlParts.Of(context.Request).LocalPath;

    public IQueryCollection QueryString => context.Request.Query;

    public IHeaderDictionary Headers => context.Request.Headers;

    public IRequestCookieCollection Cookies => context.Request.Cookies;

    public ClaimsPrincipal User => context.User;

    public HttpContext? HttpContext => context;

    /// <summary>Whether the request's URL can be built from its scheme and Host header (path and query are escaped into any URL).</summary>
    /// <remarks>
    /// Kestrel accepts some Host values that no <see cref="Uri"/> takes, e.g. a port above 65535. An HTTP/1.0 request
    /// without a Host header is valid: its URL uses <c>localhost</c>. The last valid Host is remembered, so the check
    /// costs one comparison on the requests that follow.
    /// </remarks>
    public static bool HasValidUrl(HttpRequest request)
    {
        if (!request.Host.HasValue)
        {
            return true;
        }

        string host = request.Host.Value;
        if (string.Equals(host, s_lastValidHost, StringComparison.Ordinal))
        {
            return true;
        }

        if (!Uri.TryCreate(UriHelper.BuildAbsolute(request.Scheme, request.Host), UriKind.Absolute, out _))
        {
            return false;
        }

        s_lastValidHost = host;
        return true;
    }

    /// <summary>
    /// The request's URL; never throws. When the Host header makes it unusable, the host is replaced by
    /// <c>localhost</c> so that path and query stay available to a handler that runs anyway (a disconnect after a timeout).
    /// </summary>
    private static Uri BuildUrl(UrlParts parts)
    {
        if (Uri.TryCreate(UriHelper.BuildAbsolute(parts.Scheme, parts.Host, parts.PathBase, parts.Path, parts.Query), UriKind.Absolute, out var url))
        {
            return url;
        }

        string local = UriHelper.BuildAbsolute(parts.Scheme, new HostString("localhost"), parts.PathBase, parts.Path, parts.Query);
        return Uri.TryCreate(local, UriKind.Absolute, out url) ? url : new Uri("http://localhost/");
    }

    /// <summary>Keeps what outlives the request: URL, path, query and user (not headers or cookies); each is built only if read.</summary>
    /// <remarks>
    /// The user comes from the authentication feature: a request without one gets its anonymous principal only if a
    /// handler reads it (<see cref="HttpContext.User"/> would make one for every poll).
    /// </remarks>
    public RequestSnapshot Snapshot() =>
        new(UrlParts.Of(context.Request), context.Features.Get<IHttpAuthenticationFeature>()?.User);

    /// <summary>The strings a request's URL is made of; they outlive the request.</summary>
    internal readonly record struct UrlParts(string Scheme, HostString Host, PathString PathBase, PathString Path, QueryString Query)
    {
        public static UrlParts Of(HttpRequest request) => new(request.Scheme, request.Host, request.PathBase, request.Path, request.QueryString);

        public string LocalPath => PathBase.Add(Path).Value ?? "/";

        public Uri BuildUrl() => HttpRequestView.BuildUrl(this);
    }
}

/// <summary>
/// What <see cref="PersistentConnection.OnDisconnected"/> gets after a timeout, when there is no live request:
/// the last receive request's URL, query and user. Headers and cookies are not kept, to keep idle connections small.
/// URL and query are built from the kept strings only when read.
/// </summary>
internal sealed class RequestSnapshot : IRequest
{
    private static readonly IRequestCookieCollection s_noCookies = new EmptyCookies();
    private static readonly IHeaderDictionary s_noHeaders = new HeaderDictionary { IsReadOnly = true };

    private readonly HttpRequestView.UrlParts _parts;
    private readonly string? _localPath;
    private Uri? _url;
    private IQueryCollection? _query;
    private ClaimsPrincipal? _user;

    /// <summary>A snapshot of given values.</summary>
    public RequestSnapshot(Uri url, string localPath, IQueryCollection query, ClaimsPrincipal user)
    {
        _url = url;
        _localPath = localPath;
        _query = query;
        _user = user;
    }

    /// <summary>A snapshot of a request's URL parts, built into a URL and a query only when read.</summary>
    /// <param name="parts">The URL parts.</param>
    /// <param name="user">The request's user, or <see langword="null"/> for an anonymous one (made when read).</param>
    public RequestSnapshot(HttpRequestView.UrlParts parts, ClaimsPrincipal? user)
    {
        _parts = parts;
        _user = user;
    }

    public Uri Url => _url ??= _parts.BuildUrl();

    public string LocalPath => _localPath ?? _parts.LocalPath;

    public IQueryCollection QueryString => _query ??= new QueryCollection(QueryHelpers.ParseQuery(_parts.Query.Value));

    public IHeaderDictionary Headers => s_noHeaders;

    public IRequestCookieCollection Cookies => s_noCookies;

    public ClaimsPrincipal User => _user ??= new ClaimsPrincipal(new ClaimsIdentity());

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
