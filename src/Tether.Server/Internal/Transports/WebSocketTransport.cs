using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tether.Protocol;
using Microsoft.Extensions.Logging;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// WebSockets: one text frame per persistent response (at most MaxResponseBytes of messages, at least one), <c>{}</c> as
/// keep-alive, and each text message from the client is one <c>OnReceived</c>, read by the transport's input loop.
/// Messages above MaxIncomingWebSocketMessageSize close the socket (1009). The server closes with 1000 when it ends the
/// connection and 1001 when it shuts down; a client that takes no frame for WriteTimeout is dropped.
/// </summary>
internal sealed partial class WebSocketTransport : IServerTransport
{
    internal const string NotWebSocket = "Not a valid web socket request.";

    /// <summary>Messages per frame: small, so one busy topic cannot delay others.</summary>
    private const int MaxMessagesPerFrame = 100;

    /// <summary>How long a close handshake may take before the socket is dropped.</summary>
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>As <see cref="s_closeTimeout"/>, while the server shuts down: stopping stays fast.</summary>
    private static readonly TimeSpan s_shutdownCloseTimeout = TimeSpan.FromMilliseconds(500);

    private WebSocketTransport()
    {
    }

    public static WebSocketTransport Instance { get; } = new();

    public string Name => TransportNames.WebSockets;

    public PersistentConnectionTransports Flag => PersistentConnectionTransports.WebSockets;

    public bool TakesJsonpAndFormFields => false;

    /// <summary>After <c>/start</c> the client's messages go over the socket: an idle connection pins no remembered token.</summary>
    public bool ResendsTokens => false;

    private static ReadOnlyMemory<byte> KeepAlive { get; } = "{}"u8.ToArray();

    /// <summary>Classic treats every webSockets request but <c>/connect</c>, <c>/send</c> included, as a reconnect.</summary>
    public ReceiveKind? KindOf(RequestOperation operation) =>
        operation == RequestOperation.Connect ? ReceiveKind.Connect : ReceiveKind.Reconnect;

    public string? Refusal(HttpContext context) => context.WebSockets.IsWebSocketRequest ? null : NotWebSocket;

    /// <summary>
    /// A WebSocket client sends nothing more over HTTP after <c>/start</c> (its messages go over the socket), so its
    /// HTTP/1.1 keep-alive connection is closed: an idle connection then costs the server only its socket.
    /// </summary>
    public void PrepareStartResponse(HttpResponse response)
    {
        if (HttpProtocol.IsHttp11(response.HttpContext.Request.Protocol))
        {
            response.Headers.Connection = "close";
        }
    }

    public async Task ServeAsync(ReceiveContext receive)
    {
        using var socket = await receive.Http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var (request, services) = (receive.Request, receive.Services);

        // The input loop ends when the client answers our close frame; if that handshake times out, the socket is
        // aborted, which ends the loop's pending read. Its reads take no token: an idle one registers nothing.
        using var sink = new Sink(socket, request.ConnectionId);
        if (receive.RepliesDirectly)
        {
            // Kestrel keeps features it does not know in a list of its own, made on first use: only hubs need this one.
            receive.Http.Features.Set<IDirectReplyFeature>(sink);
        }
        Task? reading = null;
        await ReceiveRunner.RunAsync(
            receive,
            sink,
            alongside: session => reading = ReadLoopAsync(socket, session, services.Options.MaxIncomingWebSocketMessageSize, request.BackpressureHighWater, receive.OnReceived, services.Logger),
            afterLoop: async session =>
            {
                bool shutdown = session.EndReason == ReceiveEndReason.Shutdown;
                await CloseAsync(socket, shutdown ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                if (reading is not null)
                {
                    try
                    {
                        await reading.WaitAsync(shutdown ? s_shutdownCloseTimeout : s_closeTimeout).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        socket.Abort();
                    }
                }
            }).ConfigureAwait(false);
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(s_closeTimeout);
        try
        {
            await socket.CloseOutputAsync(status, string.Empty, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    private static async Task ReadLoopAsync(WebSocket socket, ReceiveSession session, int? maxMessageSize, long backpressureHighWater, Func<string, Task> onReceived, ILogger logger)
    {
        await Task.Yield();

        // One writer for every message of the connection; it holds a pooled buffer only while a message is read.
        using var message = new PooledBufferWriter(0);
        try
        {
            while (true)
            {
                // Wait for the next frame without holding a buffer: idle sockets keep no receive memory.
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    Log.ClientClosed(logger, session.ConnectionId, socket.CloseStatus);
                    return;
                }

                if (!await ReadMessageAsync(socket, message, first, session.ConnectionId, maxMessageSize, logger).ConfigureAwait(false))
                {
                    return;
                }

                if (first.MessageType != WebSocketMessageType.Text)
                {
                    message.Release();
                    Log.BinaryIgnored(logger, session.ConnectionId);
                    continue;
                }

                string text = Encoding.UTF8.GetString(message.WrittenSpan);
                message.Release();
                try
                {
                    // What the handler sends to this connection is written by the receive loop right after it returns,
                    // on this thread, rather than after a thread-pool hop (an echo's usual path).
                    Task received;
                    using (session.Signal.DeferWakeUps())
                    {
                        received = onReceived(text);
                    }

                    await received.ConfigureAwait(false);
                }
                catch (Exception ex) when (RequestFaultHandler.FindUnavailable(ex) is { } unavailable)
                {
                    // User code sending while the backplane is down: an operational fault, not a bug.
                    Log.ReceiveBusUnavailable(logger, session.ConnectionId, unavailable);
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

    /// <summary>
    /// Reads one whole message into <paramref name="message"/> (reassembling fragments); <see langword="false"/> when the
    /// socket must close. Completes synchronously when the message has arrived, as it usually has after the empty read.
    /// </summary>
    private static async ValueTask<bool> ReadMessageAsync(WebSocket socket, PooledBufferWriter message, ValueWebSocketReceiveResult first, string connectionId, int? maxMessageSize, ILogger logger)
    {
        if (first.EndOfMessage && first.Count == 0)
        {
            return true;
        }

        while (true)
        {
            var memory = message.GetMemory(4096);
            var result = await socket.ReceiveAsync(memory, CancellationToken.None).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            message.Advance(result.Count);
            if (maxMessageSize is { } max && message.WrittenMemory.Length > max)
            {
                message.Release();
                await RefuseTooBigAsync(socket, connectionId, max, logger).ConfigureAwait(false);
                return false;
            }

            if (result.EndOfMessage)
            {
                return true;
            }
        }
    }

    /// <summary>Closes with 1009 and completes the closing handshake.</summary>
    private static async Task RefuseTooBigAsync(WebSocket socket, string connectionId, int max, ILogger logger)
    {
        Log.MessageTooBig(logger, connectionId, max);
        using var timeout = new CancellationTokenSource(s_closeTimeout);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {max} bytes.", timeout.Token).ConfigureAwait(false);

            // Complete the closing handshake: closing with the rest of the message unread would reset the
            // connection, and the client could lose the 1009 frame.
            await DiscardUntilCloseAsync(socket, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }

    /// <summary>Reads and drops what the client still sends until its close frame.</summary>
    private static async Task DiscardUntilCloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        byte[] discard = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            while ((await socket.ReceiveAsync(discard.AsMemory(), cancellationToken).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(discard);
        }
    }

    /// <summary>The receive loop's writer; direct replies take turns with it, one frame at a time.</summary>
    private sealed class Sink(WebSocket socket, string connectionId) : IResponseSink, IDirectReplyFeature, IDisposable
    {
        private readonly SemaphoreSlim _sending = new(1, 1);

        // Only the receive loop writes responses, one at a time; the buffer goes back to the pool after each frame.
        private readonly PooledBufferWriter _frame = new(0);

        public bool EndsAfterResponse => false;

        public int MaxMessages => MaxMessagesPerFrame;

        /// <summary>The input loop ends the session when the socket closes or fails, so an idle socket registers nothing.</summary>
        public bool NoticesClientGone => true;

        public async ValueTask WriteResponseAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
        {
            try
            {
                _frame.GetSpan(EstimateSize(header, messages));
                PersistentResponseWriter.Write(_frame, header, messages, connectionId);
                await SendFrameAsync(_frame.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _frame.Release();
            }
        }

        public ValueTask WriteKeepAliveAsync(CancellationToken cancellationToken) => SendFrameAsync(KeepAlive, cancellationToken);

        public ValueTask ReplyAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken) => SendFrameAsync(json, cancellationToken);

        public void Dispose()
        {
            _sending.Dispose();
            _frame.Dispose();
        }

        private async ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
        {
            await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sending.Release();
            }
        }

        private static int EstimateSize(PersistentResponseHeader header, IReadOnlyList<Message> messages)
        {
            int size = 32 + header.CursorChars.Length + (header.GroupsToken?.Length ?? 0);
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

        [LoggerMessage(35, LogLevel.Warning, "OnReceived of connection {ConnectionId} could not send: the message bus is unavailable.", EventName = "ReceiveBusUnavailable")]
        public static partial void ReceiveBusUnavailable(ILogger logger, string connectionId, Exception exception);

        [LoggerMessage(34, LogLevel.Error, "The WebSocket read loop of connection {ConnectionId} failed; the request ends.", EventName = "WebSocketReadLoopFailed")]
        public static partial void ReadLoopFailed(ILogger logger, string connectionId, Exception exception);
    }
}
