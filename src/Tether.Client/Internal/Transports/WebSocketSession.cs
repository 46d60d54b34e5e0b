using System;
using System.Buffers;
using System.IO;
using System.Net.WebSockets;
using System.Text;
#if NET
using System.Runtime.CompilerServices;
#endif
using System.Threading;
using System.Threading.Tasks;
using Tether.Protocol;

namespace Tether.Client.Internal.Transports;

/// <summary>
/// The WebSockets transport: one socket to <c>/connect</c>, one text frame per payload each way. When the socket ends,
/// it raises <c>Error</c> (unless the monitor dropped it on purpose), moves the connection to Reconnecting and opens
/// <c>/reconnect</c> at once, then every <c>ReconnectDelay</c> (2 s) until it works, the reconnect window is exceeded or
/// the connection gives up (docs/protocol.md#websockets).
/// </summary>
/// <remarks>
/// Better than classic: each reconnect handshake is bounded by the transport connect timeout, so a handshake that
/// hangs (a stalled network) is retried instead of waiting for the connection to give up.
/// </remarks>
internal sealed class WebSocketSession : TransportSession
{
    private const int BufferSize = 4096;

    private readonly TimeSpan _reconnectDelay;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    /// <summary>The socket in use, or <see langword="null"/> between sockets.</summary>
    private ClientWebSocket? _socket;

    /// <summary>1 once <see cref="LostConnection"/> aborted the current socket: its failure is expected, not an error.</summary>
    private int _lost;

    public WebSocketSession(TransportContext context, TimeSpan reconnectDelay)
        : base(context)
    {
        _reconnectDelay = reconnectDelay;
    }

    public override string Name => TransportNames.WebSockets;

    public override bool SupportsKeepAlive => true;

#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    public override async ValueTask SendAsync(string data, CancellationToken cancellationToken)
    {
        ClientWebSocket? socket = Volatile.Read(ref _socket);
        if (socket is null || socket.State != WebSocketState.Open)
        {
            throw new InvalidOperationException(Resources.DataCannotBeSentDuringWebSocketReconnect);
        }

        data ??= string.Empty;
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(data.Length));
        try
        {
            int count = Encoding.UTF8.GetBytes(data, 0, data.Length, bytes, 0);
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // The token only cancels the wait for the turn: a frame cancelled half-written would abort the socket.
                await WebSocketFrames.SendTextAsync(socket, bytes, count, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public override void LostConnection()
    {
        TransportLog.LostConnection(Context.Logger, Name);
        Interlocked.Exchange(ref _lost, 1);
        Volatile.Read(ref _socket)?.Abort();
    }

    public override async Task StopAsync()
    {
        ClientWebSocket? socket = Volatile.Read(ref _socket);
        if (socket is { State: WebSocketState.Open or WebSocketState.CloseReceived })
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                if (await _sendLock.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false))
                {
                    try
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        _sendLock.Release();
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // The socket is going anyway.
            }
        }

        CloseCts.Cancel();
        socket?.Abort();
        await base.StopAsync().ConfigureAwait(false);
    }

    public override void Dispose()
    {
        base.Dispose();
        _sendLock.Dispose();
    }

    protected override void OnEnded() => Volatile.Write(ref _socket, null);

    protected override async Task RunCoreAsync(CancellationToken closing, CancellationToken stoppingOrClosing)
    {
        ClientWebSocket? socket;
        try
        {
            ReceiveTarget target = await Output.ReceiveUrlAsync(ReceiveKind.Connect).ConfigureAwait(false);
            if (!target.Allowed)
            {
                return;
            }

            socket = await ConnectAsync(target.Url!, bounded: false, closing).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await Output.ChannelEndedAsync(ex).ConfigureAwait(false);
            return;
        }

        while (true)
        {
            Exception? error = await ReceiveAsync(socket, closing).ConfigureAwait(false);
            Volatile.Write(ref _socket, null);
            socket.Dispose();
            bool lost = Interlocked.Exchange(ref _lost, 0) == 1;
            TransportLog.ReceiveEnded(Context.Logger, Name, error);

            if (!await Output.ChannelEndedAsync(error ?? new IOException(Resources.TransportDisconnectedBeforeConnectionFullyInitialized)).ConfigureAwait(false) ||
                stoppingOrClosing.IsCancellationRequested)
            {
                return;
            }

            if (error != null && !lost)
            {
                Output.Error(error);
            }

            ClientWebSocket? next = await ReconnectAsync(closing, stoppingOrClosing).ConfigureAwait(false);
            if (next is null)
            {
                return;
            }

            if (stoppingOrClosing.IsCancellationRequested)
            {
                next.Abort();
                next.Dispose();
                Volatile.Write(ref _socket, null);
                return;
            }

            socket = next;
            Output.Restored();
        }
    }

    /// <summary>Opens <c>/reconnect</c> until it works, every <c>ReconnectDelay</c>, while the connection allows it.</summary>
    private async Task<ClientWebSocket?> ReconnectAsync(CancellationToken closing, CancellationToken stoppingOrClosing)
    {
        while (true)
        {
            ReceiveTarget target = await Output.ReceiveUrlAsync(ReceiveKind.Reconnect).ConfigureAwait(false);
            if (!target.Allowed)
            {
                return null;
            }

            try
            {
                return await ConnectAsync(target.Url!, bounded: true, closing).ConfigureAwait(false);
            }
            catch (Exception) when (stoppingOrClosing.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex)
            {
                TransportLog.ReconnectFailed(Context.Logger, Name, ex);
                Output.Error(ex);
            }

            try
            {
                await Clock.Delay(Context.TimeProvider, _reconnectDelay, stoppingOrClosing).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private async Task<ClientWebSocket> ConnectAsync(string url, bool bounded, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await Context.ConfigureWebSocketAsync(socket.Options, cancellationToken).ConfigureAwait(false);
            Uri uri = UrlBuilder.ToWebSocketUri(url);
            TransportLog.Opening(Context.Logger, Name, uri.ToString());
            using CancellationTokenSource? timeout = bounded ? Clock.CreateTimeoutSource(Context.TimeProvider, Context.ConnectTimeout) : null;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout?.Token ?? CancellationToken.None);
            try
            {
                await socket.ConnectAsync(uri, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(Resources.TransportTimedOutTryingToConnect);
            }

            Volatile.Write(ref _socket, socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads until the socket closes (returns <see langword="null"/>) or fails (returns the exception).</summary>
    private async Task<Exception?> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        MemoryStream? fragments = null;
        try
        {
            while (true)
            {
                var result = await WebSocketFrames.ReceiveAsync(socket, buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseReceivedAsync(socket).ConfigureAwait(false);
                    return null;
                }

                Context.MarkActivity();
                if (result.EndOfMessage && (fragments is null || fragments.Length == 0))
                {
                    TransportLog.Received(Context.Logger, Name, result.Count);
                    Output.Payload(new ReadOnlySpan<byte>(buffer, 0, result.Count));
                    continue;
                }

                fragments ??= new MemoryStream();
                fragments.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    TransportLog.Received(Context.Logger, Name, (int)fragments.Length);
                    Output.Payload(new ReadOnlySpan<byte>(fragments.GetBuffer(), 0, (int)fragments.Length));
                    fragments.SetLength(0);
                }
            }
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            fragments?.Dispose();
        }
    }

    /// <summary>Answers the server's close frame, as the classic client does, without waiting long for it.</summary>
    private async Task CloseReceivedAsync(ClientWebSocket socket)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Closed already; nothing to answer.
        }
    }
}
