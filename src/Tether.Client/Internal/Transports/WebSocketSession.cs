using System;
using System.Buffers;
using System.IO;
using System.Net.WebSockets;
using System.Text;
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
internal sealed class WebSocketSession : ITransport
{
    private const int BufferSize = 4096;

    private readonly ITransportHost _host;
    private readonly TimeSpan _reconnectDelay;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closeCts = new();
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The socket in use, or <see langword="null"/> between sockets.</summary>
    private ClientWebSocket? _socket;

    /// <summary>1 once <see cref="LostConnection"/> aborted the current socket: its failure is expected, not an error.</summary>
    private int _lost;

    public WebSocketSession(ITransportHost host, TimeSpan reconnectDelay)
    {
        _host = host;
        _reconnectDelay = reconnectDelay;
    }

    public string Name => TransportNames.WebSockets;

    public bool SupportsKeepAlive => true;

    public Task Completion => _completion.Task;

    public void Start() => _ = RunAsync();

    public async Task SendAsync(string data, CancellationToken cancellationToken)
    {
        ClientWebSocket? socket = Volatile.Read(ref _socket);
        if (socket is null || socket.State != WebSocketState.Open)
        {
            throw new InvalidOperationException(Resources.DataCannotBeSentDuringWebSocketReconnect);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(data ?? string.Empty);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The token only cancels the wait for the turn: a frame cancelled half-written would abort the socket.
            await socket.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void LostConnection()
    {
        TransportLog.LostConnection(_host.Logger, Name);
        Interlocked.Exchange(ref _lost, 1);
        Volatile.Read(ref _socket)?.Abort();
    }

    public async Task StopAsync()
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

        _closeCts.Cancel();
        socket?.Abort();
        await Task.WhenAny(Completion, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    /// <summary>Releases the session's own resources; call after <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _closeCts.Dispose();
        _sendLock.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await RunCoreAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            TransportLog.LoopFailed(_host.Logger, Name, ex);
            _host.TryFailStart(ex);
        }
        finally
        {
            Volatile.Write(ref _socket, null);
            _completion.TrySetResult(true);
        }
    }

    private async Task RunCoreAsync()
    {
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(_host.DisconnectToken, _closeCts.Token);
        using var stoppingOrClosing = CancellationTokenSource.CreateLinkedTokenSource(closing.Token, _host.StopToken);
        CancellationToken token = closing.Token;

        ClientWebSocket? socket;
        try
        {
            socket = await ConnectAsync(ReceiveKind.Connect, bounded: false, token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _host.TryFailStart(ex);
            return;
        }

        while (true)
        {
            Exception? error = await ReceiveAsync(socket, token).ConfigureAwait(false);
            Volatile.Write(ref _socket, null);
            socket.Dispose();
            bool lost = Interlocked.Exchange(ref _lost, 0) == 1;
            TransportLog.ReceiveEnded(_host.Logger, Name, error);

            if (_host.TryFailStart(error ?? new IOException(Resources.TransportDisconnectedBeforeConnectionFullyInitialized)))
            {
                return;
            }

            if (stoppingOrClosing.IsCancellationRequested)
            {
                return;
            }

            if (error != null && !lost)
            {
                _host.OnError(error);
            }

            ClientWebSocket? next = null;
            while (_host.VerifyLastActive() && _host.EnsureReconnecting())
            {
                try
                {
                    next = await ConnectAsync(ReceiveKind.Reconnect, bounded: true, token).ConfigureAwait(false);
                    break;
                }
                catch (Exception) when (stoppingOrClosing.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    TransportLog.ReconnectFailed(_host.Logger, Name, ex);
                    _host.OnError(ex);
                }

                try
                {
                    await Clock.Delay(_host.TimeProvider, _reconnectDelay, stoppingOrClosing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

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
            _host.OnReconnected();
        }
    }

    private async Task<ClientWebSocket> ConnectAsync(ReceiveKind kind, bool bounded, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await _host.ConfigureWebSocketAsync(socket.Options, cancellationToken).ConfigureAwait(false);
            Uri uri = UrlBuilder.ToWebSocketUri(_host.ReceiveUrl(kind));
            TransportLog.Opening(_host.Logger, Name, uri.ToString());
            using CancellationTokenSource? timeout = bounded ? Clock.CreateTimeoutSource(_host.TimeProvider, _host.ConnectTimeout) : null;
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
                WebSocketReceiveResult result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseReceivedAsync(socket).ConfigureAwait(false);
                    return null;
                }

                _host.MarkLastMessage();
                if (result.EndOfMessage && (fragments is null || fragments.Length == 0))
                {
                    TransportLog.Received(_host.Logger, Name, result.Count);
                    _host.OnPayload(new ReadOnlySpan<byte>(buffer, 0, result.Count));
                    continue;
                }

                fragments ??= new MemoryStream();
                fragments.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    TransportLog.Received(_host.Logger, Name, (int)fragments.Length);
                    _host.OnPayload(new ReadOnlySpan<byte>(fragments.GetBuffer(), 0, (int)fragments.Length));
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
