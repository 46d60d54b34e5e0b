using System;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Infrastructure;
using Tether.Client.Internal.Transports;
using Tether.Client.Transports;

namespace Tether.Client.Internal;

/// <summary>
/// One transport attempt of a run: its session, whether it was abandoned, and how far its start got: waiting for the
/// init message, then for <c>/start</c>, then started (or failed, for good).
/// </summary>
internal sealed class TransportAttempt
{
    private const int AwaitingInit = 0;
    private const int AwaitingStart = 1;
    private const int Started = 2;
    private const int Failed = 3;

    private readonly TaskCompletionSource<bool> _init = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _failedDuringStart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _phase;

    public TransportAttempt(ConnectionRun run, ClientTransportBase descriptor, ITransport session)
    {
        Run = run;
        Descriptor = descriptor;
        Session = session;
    }

    public ConnectionRun Run { get; }

    public ClientTransportBase Descriptor { get; }

    public ITransport Session { get; }

    /// <summary>Whether the attempt was abandoned; its reports are then ignored.</summary>
    public bool Retired { get; private set; }

    /// <summary>Faults with a <see cref="StartException"/> when the transport fails while <c>/start</c> is in flight.</summary>
    public Task FailedDuringStart => _failedDuringStart.Task;

    /// <summary>
    /// The receive channel failed or ended. While the start is not finished this fails it and returns
    /// <see langword="true"/> (then the transport must not go on); once failed, it keeps returning <see langword="true"/>.
    /// </summary>
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
    public async Task WaitForInitAsync(TimeProvider timeProvider, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using CancellationTokenSource timer = Clock.CreateTimeoutSource(timeProvider, timeout);
        using CancellationTokenRegistration onTimeout = timer.Token.Register(static s => ((TransportAttempt)s!).TryTimeOutInit(), this);
        using CancellationTokenRegistration onCancel = cancellationToken.Register(static s => ((TransportAttempt)s!).TryFailStart(new OperationCanceledException(Resources.ConnectionCancelled)), this);
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
