using System.Buffers;
using Microsoft.AspNetCore.Http;
using Tether.Protocol;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// Long polling: headers are flushed at once, a single space is written as keep-alive while the poll waits, and the
/// request ends with exactly one persistent response (wrapped as <c>callback(...);</c> under JSONP, where keep-alives
/// are off). The response carries at most MaxResponseBytes of messages (at least one); the rest waits for the next poll.
/// </summary>
internal sealed class LongPollingTransport : IServerTransport
{
    /// <summary>Messages per response (classic: 5000 per topic); MaxResponseBytes usually bounds it first.</summary>
    private const int MaxMessagesPerResponse = 5000;

    private LongPollingTransport()
    {
    }

    public static LongPollingTransport Instance { get; } = new();

    public string Name => TransportNames.LongPolling;

    public PersistentConnectionTransports Flag => PersistentConnectionTransports.LongPolling;

    public bool TakesJsonpAndFormFields => true;

    private static ReadOnlySpan<byte> KeepAlive => " "u8;

    public ReceiveKind? KindOf(RequestOperation operation) => operation switch
    {
        RequestOperation.Connect => ReceiveKind.Connect,
        RequestOperation.Reconnect => ReceiveKind.Reconnect,
        RequestOperation.Send => null,
        _ => ReceiveKind.Poll,
    };

    public string? Refusal(HttpContext context) => null;

    public async Task ServeAsync(ReceiveContext receive)
    {
        var (context, request) = (receive.Http, receive.Request);
        var response = context.Response;
        response.ContentType = request.JsonpCallback is null ? ProtocolConstants.JsonContentType : ProtocolConstants.JavaScriptContentType;

        // Flush the headers now, before there is any body: proxies and clients see a live request.
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        int delayMs = (int)receive.Services.Options.LongPollDelay.TotalMilliseconds;
        await ReceiveRunner.RunAsync(receive, new Sink(response, request.ConnectionId, request.JsonpCallback, delayMs)).ConfigureAwait(false);
    }

    private sealed class Sink(HttpResponse response, string connectionId, string? callback, int longPollDelayMs) : IResponseSink
    {
        public bool EndsAfterResponse => true;

        public int MaxMessages => MaxMessagesPerResponse;

        public async ValueTask WriteResponseAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
        {
            var writer = response.BodyWriter;
            if (callback is not null)
            {
                PersistentResponseWriter.WriteAscii(writer, callback);
                PersistentResponseWriter.WriteAscii(writer, "(");
            }

            PersistentResponseWriter.Write(writer, header with { LongPollDelayMs = longPollDelayMs }, messages, connectionId);
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
