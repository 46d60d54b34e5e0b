using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>Why a receive request ended.</summary>
internal enum ReceiveEndReason
{
    /// <summary>It has not ended.</summary>
    None = 0,

    /// <summary>A newer receive request for the same connection took over; this one ends gracefully.</summary>
    Replaced,

    /// <summary>The client called stop (<c>/abort</c>).</summary>
    Aborted,

    /// <summary>A long poll (or a stream without keep-alives) reached ConnectionTimeout.</summary>
    TimedOut,

    /// <summary>The server is shutting down; the client should reconnect (<c>T</c>).</summary>
    Shutdown,

    /// <summary>The client went away (socket closed, request aborted).</summary>
    ClientGone,

    /// <summary>The client did not take a write within WriteTimeout; it resumes by reconnecting with its cursor.</summary>
    WriteTimedOut,
}

/// <summary>
/// One live receive request (a WebSocket, an SSE stream or a pending long poll): the single place its loop is woken,
/// told to send a keep-alive, or told to end. Every write to the client happens on that loop.
/// </summary>
internal sealed class ReceiveSession : IDisposable
{
    private readonly CancellationTokenSource _ended;
    private readonly TimeSpan _writeTimeout;
    private CancellationTokenSource _write;
    private readonly CancellationTokenRegistration _requestAbortedRegistration;
    private readonly AsyncAutoResetSignal _outputDrained = new();
    private IMessageSubscription? _subscription;
    private char[] _sentCursor = [];
    private int _sentCursorLength;
    private string? _sentCursorText;
    private int _endReason;
    private int _keepAliveDue;
    private int _inputPaused;
    private bool _deadlineArmed;

    public ReceiveSession(string connectionId, bool isLongPolling, long startedAt, TimeSpan writeTimeout, CancellationToken requestAborted)
    {
        ConnectionId = connectionId;
        IsLongPolling = isLongPolling;
        StartedAt = startedAt;
        _writeTimeout = writeTimeout;
        _ended = new CancellationTokenSource();

        // Not linked to _ended (a registration each session would keep while idle): CancelWrites cancels both.
        _write = new CancellationTokenSource();
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
        _outputDrained.Set();

        // Writes that are waiting for a client that went away give up. An orderly end (replaced, aborted, shutdown)
        // still writes a last response, bounded by the write deadline.
        if (reason is ReceiveEndReason.ClientGone or ReceiveEndReason.WriteTimedOut)
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

        // After _ended: a write token WriteCompleted replaces now is either this one or sees _ended cancelled.
        try
        {
            Volatile.Read(ref _write).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Replaced by WriteCompleted (which cancels the new one), or the loop already finished.
        }
    }

    /// <summary>
    /// The token of the next write: cancelled after WriteTimeout, or when the session's writes are cancelled.
    /// Pair each call with <see cref="WriteCompleted"/>.
    /// </summary>
    public CancellationToken StartWrite()
    {
        ArmWriteDeadline();
        return _write.Token;
    }

    /// <summary>
    /// The token of the next write, its deadline not armed yet: a write that completes at once (most do) then never
    /// touches the timer queue. Call <see cref="ArmWriteDeadline"/> when the write is still pending, and pair each call
    /// with <see cref="WriteCompleted"/>.
    /// </summary>
    public CancellationToken WriteToken => _write.Token;

    /// <summary>Starts the deadline of a write started with <see cref="WriteToken"/> that did not complete at once.</summary>
    public void ArmWriteDeadline()
    {
        _deadlineArmed = true;
        _write.CancelAfter(_writeTimeout);
    }

    /// <summary>Disarms the write deadline after a write that completed.</summary>
    public void WriteCompleted()
    {
        if (!_deadlineArmed && !_write.IsCancellationRequested)
        {
            return;
        }

        _deadlineArmed = false;
        if (!_write.TryReset())
        {
            _write.Dispose();
            var fresh = new CancellationTokenSource();
            Interlocked.Exchange(ref _write, fresh);
            if (_ended.IsCancellationRequested)
            {
                fresh.Cancel();
            }
        }
    }

    /// <summary>Whether a write was cancelled by its deadline rather than by the session's end.</summary>
    public bool WriteDeadlinePassed => _write.IsCancellationRequested && !_ended.IsCancellationRequested;

    /// <summary>Gives the session the subscription its loop reads, for back-pressure on the input side.</summary>
    public void SetSubscription(IMessageSubscription subscription) => Volatile.Write(ref _subscription, subscription);

    /// <summary>The cursor the client sent with this request (<c>messageId</c>), or <see langword="null"/>.</summary>
    public string? StartCursor { get; init; }

    /// <summary>
    /// Where the messages this request may not have consumed begin: the client's cursor, or (for a request that came
    /// without one) the subscription's cursor when the loop ended. Read once the loop has ended.
    /// </summary>
    public string? UnconsumedFrom => StartCursor ?? Volatile.Read(ref _subscription)?.Cursor;

    /// <summary>The cursor of the last persistent response written to the client, or <see langword="null"/>.</summary>
    /// <remarks>Built on demand: the loop keeps only the characters of each response's cursor.</remarks>
    public string? LastSentCursor =>
        _sentCursorText ?? (_sentCursorLength > 0 ? new string(_sentCursor, 0, _sentCursorLength) : null);

    /// <summary>
    /// Takes the subscription's cursor for the next response, formatted into a buffer the session reuses (no string per
    /// response when the bus can format it so), and remembers it as <see cref="LastSentCursor"/>. The characters stay
    /// valid until the next call; the loop calls this once per response, from its own thread.
    /// </summary>
    /// <param name="subscription">The loop's subscription.</param>
    /// <returns>The cursor's characters.</returns>
    public ReadOnlyMemory<char> TakeSentCursor(IMessageSubscription subscription)
    {
        if (subscription is not TopicSubscription formattable)
        {
            _sentCursorText = subscription.Cursor;
            _sentCursorLength = 0;
            return _sentCursorText.AsMemory();
        }

        int length = formattable.CursorLength;
        if (_sentCursor.Length < length)
        {
            _sentCursor = new char[Math.Max(length, _sentCursor.Length * 2)];
        }

        _sentCursorLength = formattable.FormatCursor(_sentCursor);
        _sentCursorText = null;
        return _sentCursor.AsMemory(0, _sentCursorLength);
    }

    /// <summary>
    /// Back-pressure for a transport that reads client input on the same connection (WebSockets): waits while more
    /// than <paramref name="highWater"/> messages wait to be written to this client, so a client that sends faster than
    /// it reads slows down instead of pushing its own answers out of the replay buffer.
    /// </summary>
    public async ValueTask WaitForOutputAsync(long highWater)
    {
        while (EndReason == ReceiveEndReason.None && Volatile.Read(ref _subscription) is { } subscription && subscription.UnreadCount > highWater)
        {
            Volatile.Write(ref _inputPaused, 1);

            // Re-check after publishing the flag: the loop may have drained everything just before seeing it.
            if (EndReason != ReceiveEndReason.None || subscription.UnreadCount <= highWater)
            {
                break;
            }

            await _outputDrained.WaitAsync().ConfigureAwait(false);
        }

        Volatile.Write(ref _inputPaused, 0);
    }

    /// <summary>Called by the loop after each write: resumes a paused input side once the backlog is down to <paramref name="lowWater"/>.</summary>
    public void OutputProgressed(long lowWater)
    {
        if (Volatile.Read(ref _inputPaused) == 1 && Volatile.Read(ref _subscription) is { } subscription && subscription.UnreadCount <= lowWater)
        {
            _outputDrained.Set();
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
        _write.Dispose();
        _ended.Dispose();
    }
}
