using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Tether.Protocol;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// Long polling: a single space is written as keep-alive while the poll waits, and the request ends with exactly one
/// persistent response (wrapped as <c>callback(...);</c> under JSONP, where keep-alives are off). The headers are
/// flushed before the poll first waits, so proxies and clients see a live request; a poll that finds messages at once
/// sends headers and body together. The response carries at most MaxResponseBytes of messages (at least one); the rest
/// waits for the next poll.
/// </summary>
internal sealed class LongPollingTransport : IServerTransport
{
    /// <summary>Messages per response (classic: 5000 per topic); MaxResponseBytes usually bounds it first.</summary>
    private const int MaxMessagesPerResponse = 5000;

    /// <summary>
    /// A response with more message bytes than this is flushed by the sink, within the write deadline; a smaller one
    /// is sent by the end of the request (one write for headers, body and the chunked terminator).
    /// </summary>
    private const int FlushAboveBytes = 16 * 1024;

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

    public Task ServeAsync(ReceiveContext receive)
    {
        var request = receive.Request;
        var response = receive.Http.Response;
        response.ContentType = request.JsonpCallback is null ? ProtocolConstants.JsonContentType : ProtocolConstants.JavaScriptContentType;
        int delayMs = (int)receive.Services.Options.LongPollDelay.TotalMilliseconds;
        return ReceiveRunner.RunAsync(receive, new Sink(response, request.ConnectionId, request.JsonpCallback, delayMs));
    }

    private sealed class Sink(HttpResponse response, string connectionId, string? callback, int longPollDelayMs) : IResponseSink
    {
        public bool EndsAfterResponse => true;

        public int MaxMessages => MaxMessagesPerResponse;

        /// <summary>The poll's last write: a small response is left for the request's end to send in one piece.</summary>
        public ValueTask WriteResponseAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
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

            return PayloadBytes(messages) > FlushAboveBytes ? FlushAsync(writer, cancellationToken) : default;
        }

        public ValueTask WriteKeepAliveAsync(CancellationToken cancellationToken)
        {
            if (callback is not null)
            {
                return default;
            }

            response.BodyWriter.Write(KeepAlive);
            return FlushAsync(response.BodyWriter, cancellationToken);
        }

        /// <summary>The poll is about to wait: its headers go out now (once).</summary>
        public ValueTask BeforeWaitAsync(CancellationToken cancellationToken) =>
            response.HasStarted ? default : FlushHeadersAsync(cancellationToken);

        private async ValueTask FlushHeadersAsync(CancellationToken cancellationToken)
        {
            await response.StartAsync(cancellationToken).ConfigureAwait(false);
            await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        private static async ValueTask FlushAsync(PipeWriter writer, CancellationToken cancellationToken) =>
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);

        private static long PayloadBytes(IReadOnlyList<Message> messages)
        {
            long bytes = 0;
            for (int i = 0; i < messages.Count; i++)
            {
                bytes += messages[i].Payload.Length;
            }

            return bytes;
        }
    }
}
