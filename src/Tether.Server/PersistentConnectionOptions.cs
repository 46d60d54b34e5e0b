using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Server;

/// <summary>Options of persistent connections, with the classic SignalR 2.x defaults.</summary>
/// <remarks>Validated at startup: an invalid combination fails the host with a message naming the setting.</remarks>
public sealed class PersistentConnectionOptions
{
    /// <summary>How long a long poll is held open with nothing to send. Classic default: 110 s.</summary>
    public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(110);

    /// <summary>How long a connection may have no receive request before it is disconnected; also how long clients try to reconnect. Classic default: 30 s.</summary>
    public TimeSpan DisconnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The interval of keep-alives; <see langword="null"/> turns them off. Must be at most a third of <see cref="DisconnectTimeout"/>. Classic default: 10 s.</summary>
    public TimeSpan? KeepAlive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a client waits for the init message after <c>/connect</c> before it tries the next transport. Classic default: 5 s.</summary>
    public TimeSpan TransportConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many messages each topic (connection, group, connection type) keeps for clients that reconnect. Classic default: 1000.</summary>
    public int DefaultMessageBufferSize { get; set; } = 1000;

    /// <summary>
    /// The most bytes of messages one topic keeps for clients that reconnect, on top of the
    /// <see cref="DefaultMessageBufferSize"/> count: the oldest messages go first, the newest always stays. Default: 1 MB.
    /// </summary>
    public long MaxTopicBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The most bytes of messages all topics of this server keep together; above it, the oldest buffered messages go
    /// first. Default: 256 MB.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// The most bytes of messages in one persistent response (a long-poll response, a WebSocket frame, a Server-Sent
    /// Events event). At least one message always goes out, however large; the rest follows in the next response.
    /// Default: 64 KB.
    /// </summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// How long one write to a client may take; a WebSocket or Server-Sent Events request whose client does not read
    /// for this long is ended (the client reconnects and resumes from its cursor). Default: 30 s.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest WebSocket message a client may send, in bytes; <see langword="null"/> for no limit. Classic default: 64 KB.</summary>
    public int? MaxIncomingWebSocketMessageSize { get; set; } = 64 * 1024;

    /// <summary>The largest <c>/send</c> body accepted, in bytes. Default: 1 MB.</summary>
    public int MaxIncomingSendSize { get; set; } = 1024 * 1024;

    /// <summary>How long long-polling clients should wait between polls. Classic default: 0.</summary>
    public TimeSpan LongPollDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The transports clients may use. Default: all of them.</summary>
    public PersistentConnectionTransports Transports { get; set; } = PersistentConnectionTransports.All;

    /// <summary>Whether JSONP requests (with a <c>callback</c> parameter) are served. Classic default: <see langword="false"/>, which answers them 403.</summary>
    public bool EnableJsonp { get; set; }

    /// <summary>
    /// How values given to <c>Send</c>, <c>Broadcast</c> and group sends are serialized. Default: System.Text.Json with
    /// property names as declared (PascalCase, as classic SignalR's Json.NET wrote them) and relaxed escaping.
    /// </summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The advertised keep-alive timeout: twice <see cref="KeepAlive"/>, or <see langword="null"/> when keep-alives are off.</summary>
    public TimeSpan? KeepAliveTimeout => KeepAlive * 2;

    /// <summary>How long a topic with no subscriber keeps its messages: twice the sum of <see cref="DisconnectTimeout"/> and <see cref="KeepAliveTimeout"/> (classic: 100 s).</summary>
    public TimeSpan TopicTtl => 2 * (DisconnectTimeout + (KeepAliveTimeout ?? TimeSpan.Zero));

    /// <summary>The heartbeat period: half of <see cref="KeepAlive"/>, or a sixth of <see cref="DisconnectTimeout"/> without keep-alives.</summary>
    public TimeSpan HeartbeatInterval => KeepAlive is { } keepAlive ? keepAlive / 2 : DisconnectTimeout / 6;
}
