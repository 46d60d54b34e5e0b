namespace Tether.Server;

/// <summary>The transports a server accepts.</summary>
[Flags]
public enum PersistentConnectionTransports
{
    /// <summary>No transport.</summary>
    None = 0,

    /// <summary>WebSockets.</summary>
    WebSockets = 1,

    /// <summary>Server-Sent Events.</summary>
    ServerSentEvents = 2,

    /// <summary>Long polling.</summary>
    LongPolling = 4,

    /// <summary>Every transport Tether supports.</summary>
    All = WebSockets | ServerSentEvents | LongPolling,
}
