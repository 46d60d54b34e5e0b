using Tether.Protocol;

namespace Tether.Server.Diagnostics;

/// <summary>The tag names of Tether's metrics and spans, and the bounded values some of them take.</summary>
internal static class TetherTags
{
    public const string Transport = "tether.transport";
    public const string ConnectionType = "tether.connection_type";
    public const string ConnectionId = "tether.connection_id";
    public const string Reason = "tether.reason";
    public const string Kind = "tether.request_kind";
    public const string ErrorType = "error.type";
    public const string Outcome = "tether.outcome";
    public const string Hub = "tether.hub";
    public const string Method = "tether.method";

    /// <summary>A transport name as one of the known literals, so a client cannot grow the set of tag values.</summary>
    public static string TransportOf(string? name) => name switch
    {
        _ when string.Equals(name, TransportNames.WebSockets, StringComparison.OrdinalIgnoreCase) => TransportNames.WebSockets,
        _ when string.Equals(name, TransportNames.ServerSentEvents, StringComparison.OrdinalIgnoreCase) => TransportNames.ServerSentEvents,
        _ when string.Equals(name, TransportNames.LongPolling, StringComparison.OrdinalIgnoreCase) => TransportNames.LongPolling,
        _ => "unknown",
    };
}
