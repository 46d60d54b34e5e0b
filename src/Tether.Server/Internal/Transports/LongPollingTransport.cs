using System.Buffers;
using Microsoft.AspNetCore.Http;
using Tether.Protocol;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// Long polling (PROTOCOL.md §7.3): headers are flushed at once, a single space is written as keep-alive while the poll
/// waits, and the request ends with exactly one persistent response (wrapped as <c>callback(...);</c> under JSONP,
/// where keep-alives are off).
/// </summary>
internal static class LongPollingTransport
{
    private static ReadOnlySpan<byte> KeepAlive => " "u8;

    public static async Task ProcessAsync(HttpContext context, ReceiveRequest request, ReceiveServices services, IDisconnectHandler owner)
    {
        var response = context.Response;
        response.ContentType = request.JsonpCallback is null ? ProtocolConstants.JsonContentType : ProtocolConstants.JavaScriptContentType;
        // Flush the headers now, before there is any body (PROTOCOL.md §7.3): proxies and clients see a live request.
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        await ReceiveRunner.RunAsync(context, request, services, owner, new Sink(response, request.ConnectionId, request.JsonpCallback), isLongPolling: true).ConfigureAwait(false);
    }

    private sealed class Sink(HttpResponse response, string connectionId, string? callback) : IResponseSink
    {
        public bool EndsAfterResponse => true;

        public async ValueTask WriteResponseAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
        {
            var writer = response.BodyWriter;
            if (callback is not null)
            {
                PersistentResponseWriter.WriteAscii(writer, callback);
                PersistentResponseWriter.WriteAscii(writer, "(");
            }

            PersistentResponseWriter.Write(writer, header, messages, connectionId);
            if (callback is not null)
            {
                PersistentResponseWriter.WriteAscii(writer, ");");
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask WriteKeepAliveAsync(CancellationToken cancellationToken)
        {
            if (callback is not null)
            {
                return;
            }

            response.BodyWriter.Write(KeepAlive);
            await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
