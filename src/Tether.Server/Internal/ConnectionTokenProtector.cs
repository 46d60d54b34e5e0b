using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Tether.Server.Internal;

/// <summary>
/// Protects and reads the connection token (<c>connectionId:userName</c>) and the groups token
/// (<c>connectionId:["Type.group",...]</c>) with ASP.NET Core Data Protection, one purpose per kind and connection type,
/// as standard Base64: a token issued for one connection type is refused by every other.
/// </summary>
/// <remarks>
/// Nodes of a farm must share Data Protection keys so that any node accepts any node's tokens. A client sends the same
/// tokens with every request of its connection, so what they unprotect to is remembered (bounded, successes only; see
/// <see cref="UnprotectedTokenCache{TValue}"/> for why that is safe).
/// </remarks>
internal sealed class ConnectionTokenProtector
{
    /// <summary>Tokens remembered per kind: more than the connections a node usually serves at once.</summary>
    internal const int CachedTokens = 20_000;

    /// <summary>Bytes the remembered tokens of one kind may take.</summary>
    internal const long CachedTokenBytes = 8 * 1024 * 1024;

    /// <summary>How long an unprotect's verdict is used: a revoked key stops accepting tokens within this time.</summary>
    internal static readonly TimeSpan CachedTokenMaxAge = TimeSpan.FromMinutes(5);

    private readonly IDataProtector _connectionTokens;
    private readonly IDataProtector _groupsTokens;
    private readonly UnprotectedTokenCache<ConnectionTokenContent> _connectionCache;
    private readonly UnprotectedTokenCache<GroupsTokenContent> _groupsCache;

    public ConnectionTokenProtector(IDataProtectionProvider provider, string typeName, TimeProvider? time = null)
    {
        // The classic purposes, so the intent of each protector is recognisable to anyone who knows the protocol,
        // narrowed to the connection type.
        _connectionTokens = provider.CreateProtector("SignalR.ConnectionToken", typeName);
        _groupsTokens = provider.CreateProtector("SignalR.Groups.v1.1", typeName);
        time ??= TimeProvider.System;
        _connectionCache = new(CachedTokens, CachedTokenBytes, CachedTokenMaxAge, time, static c => c.ConnectionId.Length + c.UserName.Length);
        _groupsCache = new(CachedTokens, CachedTokenBytes, CachedTokenMaxAge, time, static g => g.ConnectionId.Length + g.Groups.Sum(n => n.Length + 12));
    }

    /// <summary>The remembered connection tokens (for tests of the bounds).</summary>
    internal UnprotectedTokenCache<ConnectionTokenContent> ConnectionCache => _connectionCache;

    public string ProtectConnectionToken(string connectionId, string userName) =>
        Convert.ToBase64String(KeyRingFailure.Protect(_connectionTokens, Encoding.UTF8.GetBytes(connectionId + ":" + userName)));

    /// <summary>Reads a connection token; <see langword="false"/> for anything tampered, foreign or malformed.</summary>
    /// <param name="token">The token as the client sent it.</param>
    /// <param name="connectionId">The connection id it holds.</param>
    /// <param name="userName">The user it was issued to.</param>
    /// <param name="remember">
    /// Whether to remember what it unprotected to: only when the client will send it again soon (polls, <c>/send</c>);
    /// a WebSocket client does not, and an entry it never uses again would stay until its generation is dropped.
    /// </param>
    public bool TryUnprotectConnectionToken(string token, out string connectionId, out string userName, bool remember = true)
    {
        if (TryGetRemembered(token, out connectionId, out userName))
        {
            return true;
        }

        connectionId = string.Empty;
        userName = string.Empty;
        if (!TryUnprotect(_connectionTokens, token, out string plain) || plain.Length == 0)
        {
            return false;
        }

        // Split at the first colon only: user names may contain colons.
        int colon = plain.IndexOf(':', StringComparison.Ordinal);
        connectionId = colon < 0 ? plain : plain[..colon];
        userName = colon < 0 ? string.Empty : plain[(colon + 1)..];
        if (connectionId.Length == 0)
        {
            return false;
        }

        if (remember)
        {
            _connectionCache.Add(token, new ConnectionTokenContent(connectionId, userName));
        }

        return true;
    }

    /// <summary>
    /// Reads a connection token from its characters when it is remembered (no string is made for it); otherwise
    /// <see langword="false"/>, and the caller unprotects it with <see cref="TryUnprotectConnectionToken"/>.
    /// </summary>
    public bool TryGetRemembered(ReadOnlySpan<char> token, out string connectionId, out string userName)
    {
        if (_connectionCache.TryGet(token, out var content))
        {
            (connectionId, userName) = (content.ConnectionId, content.UserName);
            return true;
        }

        (connectionId, userName) = (string.Empty, string.Empty);
        return false;
    }

    public string ProtectGroupsToken(string connectionId, IReadOnlyCollection<string> qualifiedGroups)
    {
        string plain = connectionId + ":" + JsonSerializer.Serialize(qualifiedGroups, TetherJsonContext.Default.IReadOnlyCollectionString);
        return Convert.ToBase64String(KeyRingFailure.Protect(_groupsTokens, Encoding.UTF8.GetBytes(plain)));
    }

    /// <summary>
    /// Reads a groups token. A token that fails to unprotect, belongs to another connection or is malformed yields an
    /// empty list: classic servers ignore bad groups tokens rather than reject the request.
    /// </summary>
    /// <param name="token">The groups token as the client sent it.</param>
    /// <param name="connectionId">The connection it must belong to.</param>
    /// <param name="remember">Whether to remember what it unprotected to (see <see cref="TryUnprotectConnectionToken"/>).</param>
    public List<string> UnprotectGroupsToken(string? token, string connectionId, bool remember = true)
    {
        if (string.IsNullOrEmpty(token))
        {
            return [];
        }

        if (!_groupsCache.TryGet(token, out var content))
        {
            if (ReadGroupsToken(token) is not { } read)
            {
                return [];
            }

            content = read;
            if (remember)
            {
                _groupsCache.Add(token, content);
            }
        }

        return string.Equals(content.ConnectionId, connectionId, StringComparison.OrdinalIgnoreCase) ? [.. content.Groups] : [];
    }

    /// <summary>The owner and groups of a well-formed groups token, or <see langword="null"/>.</summary>
    private GroupsTokenContent? ReadGroupsToken(string token)
    {
        if (!TryUnprotect(_groupsTokens, token, out string plain))
        {
            return null;
        }

        int colon = plain.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        try
        {
            var groups = JsonSerializer.Deserialize(plain.AsSpan(colon + 1), TetherJsonContext.Default.ListString);
            string[] distinct = groups is null ? [] : groups.Where(g => !string.IsNullOrEmpty(g)).Distinct(StringComparer.Ordinal).ToArray();
            return new GroupsTokenContent(plain[..colon], distinct);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryUnprotect(IDataProtector protector, string token, out string plain)
    {
        plain = string.Empty;

        // A '+' that reached us unencoded was decoded as a space by query-string rules; put it back.
        string base64 = token.Contains(' ', StringComparison.Ordinal) ? token.Replace(' ', '+') : token;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return false;
        }

        byte[]? unprotected = KeyRingFailure.TryUnprotect(protector, bytes);
        plain = unprotected is null ? string.Empty : Encoding.UTF8.GetString(unprotected);
        return unprotected is not null;
    }
}

/// <summary>What a connection token holds.</summary>
/// <param name="ConnectionId">The connection id.</param>
/// <param name="UserName">The user it was issued to (empty when anonymous).</param>
internal sealed record ConnectionTokenContent(string ConnectionId, string UserName);

/// <summary>What a well-formed groups token holds.</summary>
/// <param name="ConnectionId">The connection it was issued to.</param>
/// <param name="Groups">The qualified groups, distinct, none empty.</param>
internal sealed record GroupsTokenContent(string ConnectionId, string[] Groups);
