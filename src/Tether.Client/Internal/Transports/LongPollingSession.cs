using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Tether.Protocol;

namespace Tether.Client.Internal.Transports;

/// <summary>
/// The long-polling transport: a loop of POSTs, <c>/connect</c> until a message id is known, then <c>/poll</c>, and
/// <c>/reconnect</c> while reconnecting. After a failed poll it moves to Reconnecting at once, raises <c>Error</c>
/// (not for aborted requests or I/O errors), waits <c>ErrorDelay</c> (2 s) and polls again; Reconnected comes with the
/// first answer, or <c>ReconnectDelay</c> (5 s) after a reconnect poll was sent if it has not failed by then
/// (docs/protocol.md#long-polling).
/// </summary>
internal sealed class LongPollingSession : ITransport
{
    private readonly ITransportHost _host;
    private readonly TimeSpan _reconnectDelay;
    private readonly TimeSpan _errorDelay;
    private readonly CancellationTokenSource _closeCts = new();
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LongPollingSession(ITransportHost host, TimeSpan reconnectDelay, TimeSpan errorDelay)
    {
        _host = host;
        _reconnectDelay = reconnectDelay;
        _errorDelay = errorDelay;
    }

    public string Name => TransportNames.LongPolling;

    public bool SupportsKeepAlive => false;

    public Task Completion => _completion.Task;

    public void Start() => _ = RunAsync();

    public Task SendAsync(string data, CancellationToken cancellationToken) => HttpSend.SendAsync(_host, data, cancellationToken);

    /// <summary>Long polling has no keep-alive monitoring, so the monitor never reports it lost.</summary>
    public void LostConnection()
    {
    }

    public async Task StopAsync()
    {
        _closeCts.Cancel();
        await Task.WhenAny(Completion, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    /// <summary>Releases the session's own resources; call after <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _closeCts.Dispose();
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
            _completion.TrySetResult(true);
        }
    }

    private async Task RunCoreAsync()
    {
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(_host.DisconnectToken, _closeCts.Token);
        using var stoppingOrClosing = CancellationTokenSource.CreateLinkedTokenSource(closing.Token, _host.StopToken);
        while (!stoppingOrClosing.IsCancellationRequested)
        {
            bool reconnecting = _host.IsReconnecting;
            ReceiveKind kind = !_host.HasMessageId ? ReceiveKind.Connect : reconnecting ? ReceiveKind.Reconnect : ReceiveKind.Poll;

            // 1 once this poll may no longer raise Reconnected (it already did, or it failed).
            var reconnectedGate = new StrongBox();
            using ITimer? reconnectedTimer = reconnecting
                ? _host.TimeProvider.CreateTimer(static s => ((Reconnector)s!).Fire(), new Reconnector(_host, reconnectedGate), _reconnectDelay, Timeout.InfiniteTimeSpan)
                : null;

            Exception? error = null;
            try
            {
                string url = _host.ReceiveUrl(kind);
                TransportLog.Opening(_host.Logger, Name, url);
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(string.Empty) };
                using HttpResponseMessage response = await _host.SendHttpAsync(request, isLongRunning: true, closing.Token).ConfigureAwait(false);
                using CancellationTokenRegistration abort = closing.Token.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
                using MemoryStream body = await HttpSend.ReadBodyAsync(_host, response, closing.Token).ConfigureAwait(false);
                TransportLog.Received(_host.Logger, Name, (int)body.Length);

                // As the classic client: Reconnected comes before the messages of the poll that reconnected.
                if (_host.IsReconnecting && Interlocked.Exchange(ref reconnectedGate.Value, 1) == 0)
                {
                    _host.OnReconnected();
                }

                bool shouldReconnect = _host.OnPayload(new ReadOnlySpan<byte>(body.GetBuffer(), 0, (int)body.Length));

                if (shouldReconnect)
                {
                    if (_host.TryFailStart(new IOException(Resources.TransportDisconnectedBeforeConnectionFullyInitialized)))
                    {
                        return;
                    }

                    _host.EnsureReconnecting();
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (error is null)
            {
                continue;
            }

            Interlocked.Exchange(ref reconnectedGate.Value, 1);
            TransportLog.ReceiveEnded(_host.Logger, Name, error);
            if (_host.TryFailStart(error) || stoppingOrClosing.IsCancellationRequested || !_host.VerifyLastActive())
            {
                return;
            }

            _host.EnsureReconnecting();
            if (error is not IOException && error is not OperationCanceledException)
            {
                _host.OnError(error);
            }

            try
            {
                await Clock.Delay(_host.TimeProvider, _errorDelay, stoppingOrClosing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed class StrongBox
    {
        public int Value;
    }

    /// <summary>Raises Reconnected for one reconnect poll that has neither answered nor failed after <c>ReconnectDelay</c>.</summary>
    private sealed class Reconnector(ITransportHost host, StrongBox gate)
    {
        public void Fire()
        {
            if (Interlocked.Exchange(ref gate.Value, 1) == 0)
            {
                host.OnReconnected();
            }
        }
    }
}
