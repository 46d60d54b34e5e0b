using System;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Tether.Client.Infrastructure;
using Tether.Client.Internal.Transports;
using Tether.Client.Transports;

namespace Tether.Client.Internal;

/// <summary>
/// The connection's side of one transport attempt: it answers the transport's questions and turns its reports into
/// connection changes, which the connection makes under its own lock. It also tracks the attempt's start: waiting for
/// the init message, then for <c>/start</c>, then started (or failed, for good).
/// </summary>
internal sealed class TransportHost : ITransportHost
{
    private const int AwaitingInit = 0;
    private const int AwaitingStart = 1;
    private const int Started = 2;
    private const int Failed = 3;

    private readonly Connection _connection;
    private readonly TaskCompletionSource<bool> _init = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _failedDuringStart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _phase;

    public TransportHost(Connection connection, ConnectionRun run, ClientTransportBase descriptor, ILogger logger)
    {
        _connection = connection;
        Run = run;
        Descriptor = descriptor;
        Logger = logger;
    }

    public ConnectionRun Run { get; }

    public ClientTransportBase Descriptor { get; }

    /// <summary>Set once, right after construction.</summary>
    public ITransport Session { get; set; } = null!;

    /// <summary>Whether the attempt was abandoned; its reports are then ignored.</summary>
    public bool Retired { get; private set; }

    public ILogger Logger { get; }

    public TimeProvider TimeProvider => _connection.TimeProvider;

    public CancellationToken StopToken => Run.StopCts.Token;

    public CancellationToken DisconnectToken => Run.DisconnectCts.Token;

    public TimeSpan ConnectTimeout => Run.ConnectTimeout;

    public bool IsReconnecting => _connection.IsReconnectingFor(this);

    public bool HasMessageId => _connection.MessageId != null;

    /// <summary>Faults with a <see cref="StartException"/> when the transport fails while <c>/start</c> is in flight.</summary>
    public Task FailedDuringStart => _failedDuringStart.Task;

    public string ReceiveUrl(ReceiveKind kind) => _connection.BuildReceiveUrl(this, kind);

    public string SendUrl() => UrlBuilder.Send(_connection.UrlPartsFor(Run, Session.Name, receive: false));

    public Task<HttpResponseMessage> SendHttpAsync(HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken) =>
        _connection.SendHttpAsync(Descriptor.HttpClient, request, isLongRunning, cancellationToken);

    public Task ConfigureWebSocketAsync(ClientWebSocketOptions options, CancellationToken cancellationToken) =>
        _connection.ConfigureWebSocketAsync(options, cancellationToken);

    public void MarkLastMessage() => Interlocked.Exchange(ref Run.LastMessageAt, _connection.TimeProvider.GetTimestamp());

    public bool OnPayload(ReadOnlySpan<byte> utf8Json) => _connection.OnPayload(this, utf8Json);

    public void OnSendResponse(string body) => _connection.OnSendResponse(this, body);

    public void OnError(Exception error) => _connection.OnTransportError(this, error);

    public bool EnsureReconnecting() => _connection.EnsureReconnecting(this);

    public void OnReconnected() => _connection.OnReconnected(this);

    public bool VerifyLastActive() => _connection.VerifyLastActive(this);

    public bool TryFailStart(Exception error)
    {
        while (true)
        {
            int phase = Volatile.Read(ref _phase);
            if (phase == Started)
            {
                return false;
            }

            if (phase == Failed)
            {
                return true;
            }

            if (Interlocked.CompareExchange(ref _phase, Failed, phase) == phase)
            {
                if (phase == AwaitingInit)
                {
                    _init.TrySetException(error);
                }
                else
                {
                    _failedDuringStart.TrySetException(error as StartException ?? new StartException(Resources.StartFailed, error));
                }

                return true;
            }
        }
    }

    /// <summary>The init message arrived: the connection may send <c>/start</c>.</summary>
    public void OnInitReceived()
    {
        if (Interlocked.CompareExchange(ref _phase, AwaitingStart, AwaitingInit) == AwaitingInit)
        {
            _init.TrySetResult(true);
        }
    }

    /// <summary>Waits for the init message, at most <paramref name="timeout"/>; then the attempt fails with a <see cref="TimeoutException"/>.</summary>
    public async Task WaitForInitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using CancellationTokenSource timer = Clock.CreateTimeoutSource(TimeProvider, timeout);
        using CancellationTokenRegistration onTimeout = timer.Token.Register(static s => ((TransportHost)s!).TryTimeOutInit(), this);
        using CancellationTokenRegistration onCancel = cancellationToken.Register(static s => ((TransportHost)s!).TryFailStart(new OperationCanceledException(Resources.ConnectionCancelled)), this);
        await _init.Task.ConfigureAwait(false);
    }

    /// <summary><c>/start</c> succeeded: from now on channel failures mean reconnecting. Returns <see langword="false"/> if the attempt failed meanwhile.</summary>
    public bool MarkStarted() => Interlocked.CompareExchange(ref _phase, Started, AwaitingStart) == AwaitingStart;

    /// <summary>Abandons the attempt: later reports are ignored and a pending start fails.</summary>
    public void Retire()
    {
        Retired = true;
        TryFailStart(new OperationCanceledException(Resources.ConnectionCancelled));
    }

    private void TryTimeOutInit()
    {
        if (Interlocked.CompareExchange(ref _phase, Failed, AwaitingInit) == AwaitingInit)
        {
            _init.TrySetException(new TimeoutException(Resources.TransportTimedOutTryingToConnect));
        }
    }
}
