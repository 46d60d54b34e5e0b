using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tether.Protocol;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// Server-Sent Events: <c>data: initialized</c> flushed at once on every request, then one <c>data: {json}</c> event
/// per persistent response (at most MaxResponseBytes of messages, at least one) and <c>data: {}</c> as keep-alive, each
/// JSON on one line. A client that takes no event for WriteTimeout is dropped; it resumes by reconnecting.
/// </summary>
internal sealed class ServerSentEventsTransport : IServerTransport
{
    /// <summary>Messages per event: small, so one busy topic cannot delay others.</summary>
    private const int MaxMessagesPerEvent = 100;

    private ServerSentEventsTransport()
    {
    }

    public static ServerSentEventsTransport Instance { get; } = new();

    public string Name => TransportNames.ServerSentEvents;

    public PersistentConnectionTransports Flag => PersistentConnectionTransports.ServerSentEvents;

    public bool TakesJsonpAndFormFields => false;

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private static ReadOnlySpan<byte> Initialized => "data: initialized\n\n"u8;

    private static ReadOnlySpan<byte> KeepAlive => "data: {}\n\n"u8;

    public ReceiveKind? KindOf(RequestOperation operation) => operation switch
    {
        RequestOperation.Connect => ReceiveKind.Connect,
        RequestOperation.Send => null,
        _ => ReceiveKind.Reconnect,
    };

    public string? Refusal(HttpContext context) => null;

    public async Task ServeAsync(ReceiveContext receive)
    {
        var context = receive.Http;
        var response = context.Response;
        response.ContentType = ProtocolConstants.EventStreamContentType;

        // Proxies and compression must not hold events back.
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.Headers["X-Accel-Buffering"] = "no";
        response.BodyWriter.Write(Initialized);
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);

        await ReceiveRunner.RunAsync(receive, new Sink(response, receive.Request.ConnectionId)).ConfigureAwait(false);
    }

    private sealed class Sink(HttpResponse response, string connectionId) : IResponseSink
    {
        public bool EndsAfterResponse => false;

        public int MaxMessages => MaxMessagesPerEvent;

        public async ValueTask WriteResponseAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
        {
            var writer = response.BodyWriter;
            writer.Write(DataPrefix);
            PersistentResponseWriter.Write(writer, header, messages, connectionId);
            writer.Write(EventEnd);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask WriteKeepAliveAsync(CancellationToken cancellationToken)
        {
            response.BodyWriter.Write(KeepAlive);
            await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
