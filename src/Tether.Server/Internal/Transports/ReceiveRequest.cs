namespace Tether.Server.Internal.Transports;

/// <summary>Which receive operation a request is.</summary>
internal enum ReceiveKind
{
    /// <summary><c>/connect</c>: opens the channel and gets the init message.</summary>
    Connect,

    /// <summary><c>/reconnect</c> (and, on streaming transports, any other receive path): resumes after a loss.</summary>
    Reconnect,

    /// <summary>A long poll after the first.</summary>
    Poll,
}

/// <summary>Everything the receive loop needs about one validated receive request.</summary>
internal sealed class ReceiveRequest
{
    public required string ConnectionId { get; init; }

    public required string TypeName { get; init; }

    /// <summary>The connection type's broadcast topic (<c>pc-</c> and the type name), built once per type.</summary>
    public required string TypeTopic { get; init; }

    /// <summary>The transport's name (for metrics tags).</summary>
    public required string Transport { get; init; }

    public required ReceiveKind Kind { get; init; }

    /// <summary>The client's <c>messageId</c>, or <see langword="null"/>.</summary>
    public required string? Cursor { get; init; }

    /// <summary>The qualified groups (<c>Type.group</c>) the connection is in; the loop updates it on group commands.</summary>
    public required List<string> Groups { get; init; }

    /// <summary>Further topics the request reads (a hub connection's hub topics).</summary>
    public IReadOnlyList<string> ExtraTopics { get; init; } = [];

    /// <summary>Unwritten messages above which a WebSocket stops reading client input (half the replay buffer).</summary>
    public required long BackpressureHighWater { get; init; }

    /// <summary>The JSONP callback of a long poll, or <see langword="null"/>.</summary>
    public string? JsonpCallback { get; init; }
}
