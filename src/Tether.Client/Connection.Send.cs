using System;
using System.Globalization;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Tether.Client.Internal;
using Tether.Client.Internal.Transports;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>Sends data to the server's <c>OnReceived</c>, as is.</summary>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the send while it waits its turn (for instance while reconnecting).</param>
    /// <returns>Completes once sent. Sends go out one at a time, in call order.</returns>
    /// <exception cref="InvalidOperationException">The connection is disconnected or still connecting, or the queue is full while reconnecting.</exception>
    /// <remarks>
    /// Better than classic: while <see cref="ConnectionState.Reconnecting"/>, a send waits in a queue of at most
    /// <see cref="SendQueueLimit"/> and goes out after <see cref="Reconnected"/>; it fails if the connection closes first.
    /// </remarks>
    public Task SendAsync(string data, CancellationToken cancellationToken = default)
    {
        ConnectionRun run;
        bool reconnecting;
        lock (_lock)
        {
            if (_state == ConnectionState.Disconnected)
            {
                throw new InvalidOperationException(Resources.DataCannotBeSentConnectionDisconnected);
            }

            if (_state == ConnectionState.Connecting)
            {
                throw new InvalidOperationException(Resources.ConnectionHasNotBeenEstablished);
            }

            run = _run!;
            reconnecting = _state == ConnectionState.Reconnecting;
        }

        var item = new SendItem(data ?? string.Empty, cancellationToken);
        if (run.Sends.Writer.TryWrite(item))
        {
            return item.Task;
        }

        if (reconnecting)
        {
            throw new InvalidOperationException(string.Format(CultureInfo.CurrentCulture, Resources.SendQueueFull, run.SendQueueLimit));
        }

        return EnqueueSlowAsync(run, item, cancellationToken);
    }

    private static async Task EnqueueSlowAsync(ConnectionRun run, SendItem item, CancellationToken cancellationToken)
    {
        try
        {
            await run.Sends.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException(Resources.ConnectionClosedBeforeSend, ex);
        }

        await item.Task.ConfigureAwait(false);
    }

    /// <summary>The one loop that drains a run's sends: it waits while reconnecting, and fails what is left once the run closes.</summary>
    /// <remarks>Each send runs inside this loop's own state machine: nothing is allocated per send beyond the request itself.</remarks>
    private async Task SendLoopAsync(ConnectionRun run)
    {
        ChannelReader<SendItem> reader = run.Sends.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Peek, send, then remove: the item being sent keeps its place, so the queue never holds more than its limit.
            while (reader.TryPeek(out SendItem? item))
            {
                CancellationToken token = item.CancellationToken;
                try
                {
                    if (token.IsCancellationRequested)
                    {
                        item.TrySetCanceled(token);
                    }
                    else if ((CurrentSession(run) ?? await WaitForSessionAsync(run, item).ConfigureAwait(false)) is { } session)
                    {
                        if ((TraceLevel & TraceLevels.Messages) != 0 && _syncTraceWriter != System.IO.TextWriter.Null)
                        {
                            Trace(TraceLevels.Messages, "Send({0})", item.Data);
                        }

                        await session.SendAsync(item.Data, token).ConfigureAwait(false);
                        Diagnostics.ClientMetrics.Sent();
                        item.TrySetResult(true);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    item.TrySetCanceled(token);
                }
                catch (Exception ex)
                {
                    RaiseError(run, ex);
                    item.TrySetException(ex);
                }

                reader.TryRead(out _);
            }
        }
    }

    /// <summary>The session to send on when the run is connected now, else <see langword="null"/>.</summary>
    private ITransport? CurrentSession(ConnectionRun run)
    {
        lock (_lock)
        {
            Task<bool> gate = run.ConnectedGate.Task;
            return gate.Status == TaskStatus.RanToCompletion && gate.Result && !run.Closed ? run.ActiveAttempt?.Session : null;
        }
    }

    /// <summary>Waits until the run is connected; <see langword="null"/> when it closed first (the item has then failed).</summary>
    private async Task<ITransport?> WaitForSessionAsync(ConnectionRun run, SendItem item)
    {
        while (true)
        {
            Task<bool> gate;
            lock (_lock)
            {
                gate = run.ConnectedGate.Task;
            }

            if (!await TaskHelpers.WaitAsync(gate, item.CancellationToken).ConfigureAwait(false))
            {
                item.TrySetException(new InvalidOperationException(Resources.ConnectionClosedBeforeSend));
                return null;
            }

            lock (_lock)
            {
                // The gate may have been replaced (reconnecting again) since it opened.
                if (run.ConnectedGate.Task.IsCompleted && !run.Closed && run.ActiveAttempt?.Session is { } session)
                {
                    return session;
                }

                if (run.Closed)
                {
                    item.TrySetException(new InvalidOperationException(Resources.ConnectionClosedBeforeSend));
                    return null;
                }
            }
        }
    }
}
