using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Tether.Server.Internal;

/// <summary>
/// Protects and reads the connection token (<c>connectionId:userName</c>) and the groups token
/// (<c>connectionId:["Type.group",...]</c>) with ASP.NET Core Data Protection, one purpose per kind, as standard Base64.
/// </summary>
/// <remarks>Nodes of a farm must share Data Protection keys so that any node accepts any node's tokens.</remarks>
internal sealed class ConnectionTokenProtector
{
    private readonly IDataProtector _connectionTokens;
    private readonly IDataProtector _groupsTokens;

    public ConnectionTokenProtector(IDataProtectionProvider provider)
    {
        // The classic purposes, so the intent of each protector is recognisable to anyone who knows the protocol.
        _connectionTokens = provider.CreateProtector("SignalR.ConnectionToken");
        _groupsTokens = provider.CreateProtector("SignalR.Groups.v1.1");
    }

    public string ProtectConnectionToken(string connectionId, string userName) =>
        Convert.ToBase64String(KeyRingFailure.Protect(_connectionTokens, Encoding.UTF8.GetBytes(connectionId + ":" + userName)));

    /// <summary>Reads a connection token; <see langword="false"/> for anything tampered, foreign or malformed.</summary>
    public bool TryUnprotectConnectionToken(string token, out string connectionId, out string userName)
    {
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
        return connectionId.Length > 0;
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
    public List<string> UnprotectGroupsToken(string? token, string connectionId)
    {
        if (string.IsNullOrEmpty(token) || !TryUnprotect(_groupsTokens, token, out string plain))
        {
            return [];
        }

        int colon = plain.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !string.Equals(plain[..colon], connectionId, StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        try
        {
            var groups = JsonSerializer.Deserialize(plain.AsSpan(colon + 1), TetherJsonContext.Default.ListString);
            return groups is null ? [] : groups.Where(g => !string.IsNullOrEmpty(g)).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (JsonException)
        {
            return [];
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
