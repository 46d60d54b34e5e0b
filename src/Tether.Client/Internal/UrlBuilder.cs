using System;
using System.Text;

namespace Tether.Client.Internal;

/// <summary>The parts every protocol URL is built from.</summary>
internal readonly struct UrlParts
{
    public UrlParts(string baseUrl, string protocol, string? transport, string? connectionData, string? connectionToken, string? queryString)
    {
        BaseUrl = baseUrl;
        Protocol = protocol;
        Transport = transport;
        ConnectionData = connectionData;
        ConnectionToken = connectionToken;
        QueryString = queryString;
    }

    /// <summary>The endpoint URL, ending with <c>/</c>.</summary>
    public string BaseUrl { get; }

    public string Protocol { get; }

    public string? Transport { get; }

    public string? ConnectionData { get; }

    public string? ConnectionToken { get; }

    public string? QueryString { get; }
}

/// <summary>
/// Builds the protocol URLs that carry no cursor exactly as the classic .NET client does (docs/protocol.md#query-strings):
/// <c>{url}{op}?clientProtocol=P&amp;transport=T&amp;connectionData=D&amp;connectionToken=CT&amp;{qs}</c>. The receive
/// URLs (connect, reconnect, poll) and <c>/send</c> come from <see cref="TransportUrls"/>, built once per connection token.
/// </summary>
/// <remarks>
/// Negotiate has no transport. Values are escaped with <see cref="Uri.EscapeDataString(string)"/>, except
/// <c>connectionData</c>, which the classic client appends raw.
/// </remarks>
internal static class UrlBuilder
{
    public static string Negotiate(in UrlParts parts) => Build("negotiate", parts, transport: null);

    public static string Start(in UrlParts parts) => Build("start", parts, parts.Transport);

    public static string Abort(in UrlParts parts) => Build("abort", parts, parts.Transport);

    /// <summary>Turns an <c>http(s)</c> URL into the <c>ws(s)</c> URL of the WebSocket transport.</summary>
    public static Uri ToWebSocketUri(string url)
    {
        var builder = new UriBuilder(url);
        if (builder.Scheme != "http" && builder.Scheme != "https")
        {
            throw new InvalidOperationException(string.Format(System.Globalization.CultureInfo.CurrentCulture, Resources.InvalidUriScheme, builder.Scheme));
        }

        builder.Scheme = builder.Scheme == "https" ? "wss" : "ws";
        return builder.Uri;
    }

    /// <summary>
    /// The query every request of a transport shares: <c>clientProtocol</c>, <c>transport</c>, <c>connectionData</c>,
    /// <c>connectionToken</c> and the custom query string, without the <c>?</c> (never empty: the protocol is always there).
    /// </summary>
    public static string CommonQuery(in UrlParts parts, string? transport)
    {
        var sb = new StringBuilder(256);
        AppendCommon(sb, parts, transport);
        sb.Length--;
        return sb.ToString();
    }

    private static string Build(string operation, in UrlParts parts, string? transport)
    {
        var sb = new StringBuilder(256);
        sb.Append(parts.BaseUrl).Append(operation).Append('?');
        AppendCommon(sb, parts, transport);
        sb.Length--;
        return sb.ToString();
    }

    /// <summary>Appends the shared parameters, each followed by <c>&amp;</c>.</summary>
    private static void AppendCommon(StringBuilder sb, in UrlParts parts, string? transport)
    {
        sb.Append("clientProtocol=").Append(parts.Protocol).Append('&');
        if (transport != null)
        {
            sb.Append("transport=").Append(transport).Append('&');
        }

        if (!string.IsNullOrEmpty(parts.ConnectionData))
        {
            sb.Append("connectionData=").Append(parts.ConnectionData).Append('&');
        }

        if (parts.ConnectionToken != null)
        {
            sb.Append("connectionToken=").Append(Uri.EscapeDataString(parts.ConnectionToken)).Append('&');
        }

        string? queryString = parts.QueryString;
        if (!string.IsNullOrEmpty(queryString))
        {
            char first = queryString![0];
            sb.Append(first == '?' || first == '&' ? queryString.Substring(1) : queryString).Append('&');
        }
    }
}
