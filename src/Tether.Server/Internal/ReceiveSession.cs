namespace Tether.Server.Internal;

/// <summary>Why a receive request ended.</summary>
internal enum ReceiveEndReason
{
    /// <summary>It has not ended.</summary>
    None = 0,

    /// <summary>A newer receive request for the same connection took over (PROTOCOL.md P13).</summary>
    Replaced,

    /// <summary>The client called stop (<c>/abort</c>).</summary>
    Aborted,

    /// <summary>A long poll (or a stream without keep-alives) reached ConnectionTimeout.</summary>
    TimedOut,

    /// <summary>The server is shutting down; the client should reconnect (<c>T</c>).</summary>
    Shutdown,

    /// <summary>The client went away (socket closed, request aborted).</summary>
    ClientGone,
}

/// <summary>
/// One live receive request (a WebSocket, an SSE stream or a pending long poll): the single place its loop is woken,
/// told to send a keep-alive, or told to end. Every write to the client happens on that loop (PROTOCOL.md P18).
/// </summary>
internal sealed class ReceiveSession : IDisposable
{
    private readonly CancellationTokenSource _ended;
    private readonly CancellationTokenRegistration _requestAbortedRegistration;
    private int _endReason;
    private int _keepAliveDue;

    public ReceiveSession(string connectionId, bool isLongPolling, long startedAt, CancellationToken requestAborted)
    {
        ConnectionId = connectionId;
        IsLongPolling = isLongPolling;
        StartedAt = startedAt;
        _ended = new CancellationTokenSource();
        _requestAbortedRegistration = requestAborted.UnsafeRegister(static s => ((ReceiveSession)s!).End(ReceiveEndReason.ClientGone), this);
    }

    public string ConnectionId { get; }

    public bool IsLongPolling { get; }

    /// <summary>When the request began (a <see cref="TimeProvider"/> timestamp).</summary>
    public long StartedAt { get; }

    /// <summary>Wakes the loop: new messages, a keep-alive due, or the end.</summary>
    public AsyncAutoResetSignal Signal { get; } = new();

    /// <summary>Cancelled when the session ends, so writes blocked on a stalled client give up.</summary>
    public CancellationToken Ended => _ended.Token;

    public ReceiveEndReason EndReason => (ReceiveEndReason)Volatile.Read(ref _endReason);

    /// <summary>Ends the session; the first reason wins.</summary>
    public void End(ReceiveEndReason reason)
    {
        if (Interlocked.CompareExchange(ref _endReason, (int)reason, (int)ReceiveEndReason.None) != (int)ReceiveEndReason.None)
        {
            return;
        }

        Signal.Set();

        // Writes that are waiting for a stalled client give up, except for an orderly end where the loop still
        // writes a last response (a long poll's answer, T for shutdown); the loop bounds those writes itself.
        if (reason is ReceiveEndReason.ClientGone or ReceiveEndReason.Replaced)
        {
            CancelWrites();
        }
    }

    /// <summary>Cancels pending writes now.</summary>
    public void CancelWrites()
    {
        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The loop already finished.
        }
    }

    public void RequestKeepAlive()
    {
        Volatile.Write(ref _keepAliveDue, 1);
        Signal.Set();
    }

    public bool TakeKeepAlive() => Interlocked.Exchange(ref _keepAliveDue, 0) == 1;

    public void Dispose()
    {
        _requestAbortedRegistration.Dispose();
        _ended.Dispose();
    }
}
