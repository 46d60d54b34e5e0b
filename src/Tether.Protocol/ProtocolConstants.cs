namespace Tether.Protocol;

/// <summary>Literals of the classic protocol that both ends must agree on byte for byte.</summary>
public static class ProtocolConstants
{
    /// <summary>The client protocol version the 2.4 clients send (<c>clientProtocol=2.1</c>).</summary>
    public const string ClientProtocolVersion = "2.1";

    /// <summary>The highest protocol version a classic 2.4 server answers with.</summary>
    public const string MaxServerProtocolVersion = "2.0";

    /// <summary>The lowest protocol version a classic 2.4 server answers with.</summary>
    public const string MinServerProtocolVersion = "1.2";

    /// <summary>The exact body of a successful <c>/start</c> answer, spaces included.</summary>
    public const string StartedResponse = "{ \"Response\": \"started\" }";

    /// <summary>The exact body of a <c>/ping</c> answer, spaces included.</summary>
    public const string PongResponse = "{ \"Response\": \"pong\" }";

    /// <summary>The keep-alive payload of the streaming transports (WebSockets, Server-Sent Events).</summary>
    public const string KeepAlive = "{}";

    /// <summary>The first event of every Server-Sent Events stream, on connect and on reconnect.</summary>
    public const string SseInitialized = "initialized";

    /// <summary>The content type of JSON answers (negotiate, start, ping, long-polling responses).</summary>
    public const string JsonContentType = "application/json; charset=UTF-8";

    /// <summary>The content type of JSONP answers.</summary>
    public const string JavaScriptContentType = "application/javascript; charset=UTF-8";

    /// <summary>The content type of a Server-Sent Events stream.</summary>
    public const string EventStreamContentType = "text/event-stream";
}
