namespace Tether.Protocol;

/// <summary>The transport names of the classic protocol, as they appear in the <c>transport</c> query parameter.</summary>
/// <remarks>Servers match them case-insensitively.</remarks>
public static class TransportNames
{
    /// <summary>The WebSockets transport: one text frame per persistent response.</summary>
    public const string WebSockets = "webSockets";

    /// <summary>The Server-Sent Events transport: a <c>text/event-stream</c> response that stays open.</summary>
    public const string ServerSentEvents = "serverSentEvents";

    /// <summary>The long-polling transport: one persistent response per request.</summary>
    public const string LongPolling = "longPolling";

    /// <summary>The forever-frame transport of old browsers. Tether's server refuses it; clients fall back to long polling.</summary>
    public const string ForeverFrame = "foreverFrame";
}
