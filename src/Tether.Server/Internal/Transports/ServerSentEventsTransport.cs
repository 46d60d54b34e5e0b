using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tether.Protocol;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// Server-Sent Events (PROTOCOL.md §7.2): <c>data: initialized</c> flushed at once on every request, then one
/// <c>data: {json}</c> event per persistent response and <c>data: {}</c> as keep-alive, each JSON on one line.
/// </summary>
internal static class ServerSentEventsTransport
{
    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private static ReadOnlySpan<byte> Initialized => "data: initialized\n\n"u8;

    private static ReadOnlySpan<byte> KeepAlive => "data: {}\n\n"u8;

    public static async Task ProcessAsync(HttpContext context, ReceiveRequest request, ReceiveServices services, IDisconnectHandler owner)
    {
        var response = context.Response;
        response.ContentType = ProtocolConstants.EventStreamContentType;

        // Proxies and compression must not hold events back (PROTOCOL.md P6).
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.Headers["X-Accel-Buffering"] = "no";
        response.BodyWriter.Write(Initialized);
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);

        await ReceiveRunner.RunAsync(context, request, services, owner, new Sink(response, request.ConnectionId), isLongPolling: false).ConfigureAwait(false);
    }

    private sealed class Sink(HttpResponse response, string connectionId) : IResponseSink
    {
        public bool EndsAfterResponse => false;

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
