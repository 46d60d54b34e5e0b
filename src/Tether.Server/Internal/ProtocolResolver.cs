namespace Tether.Server.Internal;

/// <summary>
/// Resolves the <c>clientProtocol</c> query value the way the classic 2.4 server does: clamp into [1.2, 2.0]; a missing
/// or unparsable value resolves to the minimum. The server never rejects a version; only clients do.
/// </summary>
internal static class ProtocolResolver
{
    private static readonly Version s_min = new(1, 2);
    private static readonly Version s_max = new(2, 0);
    private static readonly Version s_delayedStart = new(1, 4);

    /// <summary>Resolves a client protocol value.</summary>
    /// <param name="clientProtocol">The raw query value.</param>
    /// <returns>The version the server speaks with this client.</returns>
    public static Version Resolve(string? clientProtocol)
    {
        if (string.IsNullOrEmpty(clientProtocol) || !Version.TryParse(clientProtocol, out var version))
        {
            return s_min;
        }

        if (version < s_min)
        {
            return s_min;
        }

        return version > s_max ? s_max : version;
    }

    /// <summary>
    /// Protocol 1.4 moved <c>OnConnected</c> from <c>/connect</c> to <c>/start</c>; older clients get it on connect.
    /// </summary>
    /// <param name="version">A resolved version.</param>
    /// <returns>Whether <c>OnConnected</c> waits for <c>/start</c>.</returns>
    public static bool UsesDelayedStart(Version version) => version >= s_delayedStart;
}
