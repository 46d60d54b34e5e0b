using System;
using Tether.Client.Internal.Transports;

namespace Tether.Client.Internal;

/// <summary>
/// The URLs of one transport for one connection token, built once: <c>/send</c> as a ready <see cref="Uri"/> (which
/// also keeps the path and query the HTTP stack asks it for), and the prefixes of <c>/connect</c>, <c>/reconnect</c>
/// and <c>/poll</c>, to which only the cursor and the groups token are appended per request (or, for long polling,
/// the receive URLs as ready <see cref="Uri"/>s: its cursor travels in the body). Each URL is exactly the
/// one <see cref="UrlBuilder"/> builds from the same <see cref="UrlParts"/>.
/// </summary>
internal sealed class TransportUrls
{
    private readonly UrlParts _parts;
    private readonly string _connect;
    private readonly string _reconnect;
    private readonly string _poll;
    private readonly Uri _send;

    /// <summary>The <c>/connect</c>, <c>/reconnect</c> and <c>/poll</c> URLs as <see cref="Uri"/>s, built at first use (long polling only).</summary>
    private Uri? _connectUri;
    private Uri? _reconnectUri;
    private Uri? _pollUri;

    /// <summary>The last groups token and its <c>&amp;groupsToken=…</c> suffix: it changes rarely, the cursor on every receive.</summary>
    private EscapedGroupsToken? _groups;

    /// <param name="parts">The shared parts; <see cref="UrlParts.Transport"/> is the transport's name, the cursor and groups token are ignored.</param>
    public TransportUrls(in UrlParts parts)
    {
        _parts = parts;
        string query = UrlBuilder.CommonQuery(parts, parts.Transport);
        _connect = parts.BaseUrl + "connect?" + query;
        _reconnect = parts.BaseUrl + "reconnect?" + query;
        _poll = parts.BaseUrl + "poll?" + query;
        _send = new Uri(parts.BaseUrl + "send?" + query);
    }

    /// <summary>The URL of <c>/send</c>.</summary>
    public Uri Send => _send;

    /// <summary>Whether these URLs were built from these values (compared by reference: a changed value builds new URLs).</summary>
    public bool IsFor(string baseUrl, string protocol, string transport, string? connectionData, string? connectionToken, string? queryString) =>
        ReferenceEquals(_parts.BaseUrl, baseUrl) && ReferenceEquals(_parts.Protocol, protocol) &&
        ReferenceEquals(_parts.Transport, transport) && ReferenceEquals(_parts.ConnectionData, connectionData) &&
        ReferenceEquals(_parts.ConnectionToken, connectionToken) && ReferenceEquals(_parts.QueryString, queryString);

    /// <summary>The URL of a receive request: <c>messageId</c> and <c>groupsToken</c> appended when not <see langword="null"/>, escaped.</summary>
    public string Receive(ReceiveKind kind, string? messageId, string? groupsToken)
    {
        string prefix = kind switch
        {
            ReceiveKind.Connect => _connect,
            ReceiveKind.Reconnect => _reconnect,
            _ => _poll,
        };

        string groups = string.Empty;
        if (groupsToken != null)
        {
            EscapedGroupsToken? cached = _groups;
            if (cached is null || !ReferenceEquals(cached.Token, groupsToken))
            {
                cached = new EscapedGroupsToken(groupsToken, "&groupsToken=" + Uri.EscapeDataString(groupsToken));
                _groups = cached;
            }

            groups = cached.Suffix;
        }

        return messageId is null ? prefix + groups : UrlEscaping.ConcatEscaped(prefix, "&messageId=", messageId, groups);
    }

    /// <summary>
    /// The URL of a receive request whose cursor and groups token travel in a form body (long polling): fixed per
    /// connection token, so built once.
    /// </summary>
    public Uri ReceiveWithoutCursor(ReceiveKind kind) => kind switch
    {
        ReceiveKind.Connect => _connectUri ??= new Uri(_connect),
        ReceiveKind.Reconnect => _reconnectUri ??= new Uri(_reconnect),
        _ => _pollUri ??= new Uri(_poll),
    };

    private sealed class EscapedGroupsToken(string token, string suffix)
    {
        public string Token { get; } = token;

        public string Suffix { get; } = suffix;
    }
}
