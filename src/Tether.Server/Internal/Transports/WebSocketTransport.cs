using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// WebSockets (PROTOCOL.md §7.1): one text frame per persistent response, <c>{}</c> as keep-alive, and each text message
/// from the client is one <c>OnReceived</c>. Messages above MaxIncomingWebSocketMessageSize close the socket (1009).
/// The socket is closed with 1000 when the server ends the connection.
/// </summary>
internal static partial class WebSocketTransport
{
    /// <summary>How long a close handshake may take before the socket is dropped.</summary>
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);

    private static ReadOnlyMemory<byte> KeepAlive { get; } = "{}"u8.ToArray();

    public static async Task ProcessAsync(
        HttpContext context,
        ReceiveRequest request,
        ReceiveServices services,
        IDisconnectHandler owner,
        int? maxMessageSize,
        Func<string, Task> onReceived)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);

        // The read loop has its own token: it ends when the client answers our close frame, and is only cancelled
        // (which aborts the socket) if that handshake times out.
        using var readCancellation = new CancellationTokenSource();
        Task? reading = null;
        await ReceiveRunner.RunAsync(
            context,
            request,
            services,
            owner,
            new Sink(socket, request.ConnectionId),
            isLongPolling: false,
            alongside: session => reading = ReadLoopAsync(socket, session, maxMessageSize, request.BackpressureHighWater, onReceived, services.Logger, readCancellation.Token),
            afterLoop: async () =>
            {
                await CloseAsync(socket).ConfigureAwait(false);
                if (reading is not null)
                {
                    try
                    {
                        await reading.WaitAsync(s_closeTimeout).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        await readCancellation.CancelAsync().ConfigureAwait(false);
                        socket.Abort();
                    }
                }
            }).ConfigureAwait(false);
    }

    private static async Task CloseAsync(WebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(s_closeTimeout);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    private static async Task ReadLoopAsync(WebSocket socket, ReceiveSession session, int? maxMessageSize, long backpressureHighWater, Func<string, Task> onReceived, ILogger logger, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            while (true)
            {
                // Wait for the next frame without holding a buffer: idle sockets keep no receive memory.
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    Log.ClientClosed(logger, session.ConnectionId, socket.CloseStatus);
                    return;
                }

                string? text = await ReadMessageAsync(socket, first, session.ConnectionId, maxMessageSize, logger, cancellationToken).ConfigureAwait(false);
                if (text is null)
                {
                    return;
                }

                if (first.MessageType != WebSocketMessageType.Text)
                {
                    Log.BinaryIgnored(logger, session.ConnectionId);
                    continue;
                }

                try
                {
                    await onReceived(text).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.ReceiveHandlerFailed(logger, session.ConnectionId, ex);
                }

                await session.WaitForOutputAsync(backpressureHighWater).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or WebSocketException or ObjectDisposedException)
        {
            // The socket went away, or the close handshake timed out.
        }
        catch (Exception ex)
        {
            // Never expected: end this connection's request visibly rather than fault a task nobody observes.
            Log.ReadLoopFailed(logger, session.ConnectionId, ex);
        }
        finally
        {
            session.End(ReceiveEndReason.ClientGone);
        }
    }

    /// <summary>Reads one whole message (reassembling fragments); <see langword="null"/> when the socket must close.</summary>
    private static async Task<string?> ReadMessageAsync(WebSocket socket, ValueWebSocketReceiveResult first, string connectionId, int? maxMessageSize, ILogger logger, CancellationToken cancellationToken)
    {
        if (first.EndOfMessage && first.Count == 0)
        {
            return string.Empty;
        }

        using var buffer = new PooledBufferWriter(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var result = await socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (maxMessageSize is { } max && buffer.WrittenMemory.Length > max)
            {
                Log.MessageTooBig(logger, connectionId, max);
                using var timeout = new CancellationTokenSource(s_closeTimeout);
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {max} bytes.", timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
                {
                    socket.Abort();
                }

                return null;
            }

            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer.WrittenMemory.Span);
            }
        }
    }

    private sealed class Sink(WebSocket socket, string connectionId) : IResponseSink
    {
        public bool EndsAfterResponse => false;

        public async ValueTask WriteResponseAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
        {
            using var frame = new PooledBufferWriter(EstimateSize(header, messages));
            PersistentResponseWriter.Write(frame, header, messages, connectionId);
            await socket.SendAsync(frame.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }

        public ValueTask WriteKeepAliveAsync(CancellationToken cancellationToken) =>
            socket.SendAsync(KeepAlive, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

        private static int EstimateSize(PersistentResponseHeader header, IReadOnlyList<Message> messages)
        {
            int size = 32 + header.Cursor.Length + (header.GroupsToken?.Length ?? 0);
            for (int i = 0; i < messages.Count; i++)
            {
                size += messages[i].Payload.Length + 1;
            }

            return size;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Debug, "Connection {ConnectionId} closed its WebSocket ({Status}).", EventName = "WebSocketClientClosed")]
        public static partial void ClientClosed(ILogger logger, string connectionId, WebSocketCloseStatus? status);

        [LoggerMessage(31, LogLevel.Warning, "Connection {ConnectionId} sent a WebSocket message larger than {Max} bytes; closing it.", EventName = "WebSocketMessageTooBig")]
        public static partial void MessageTooBig(ILogger logger, string connectionId, int max);

        [LoggerMessage(32, LogLevel.Debug, "Connection {ConnectionId} sent a binary WebSocket message; the protocol carries text only, so it was ignored.", EventName = "WebSocketBinaryIgnored")]
        public static partial void BinaryIgnored(ILogger logger, string connectionId);

        [LoggerMessage(33, LogLevel.Error, "OnReceived failed for connection {ConnectionId}.", EventName = "ReceiveHandlerFailed")]
        public static partial void ReceiveHandlerFailed(ILogger logger, string connectionId, Exception exception);

        [LoggerMessage(34, LogLevel.Error, "The WebSocket read loop of connection {ConnectionId} failed; the request ends.", EventName = "WebSocketReadLoopFailed")]
        public static partial void ReadLoopFailed(ILogger logger, string connectionId, Exception exception);
    }
}
