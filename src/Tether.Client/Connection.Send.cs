using System;
using System.Globalization;
#if NET
using System.Runtime.CompilerServices;
#endif
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
    private async Task SendLoopAsync(ConnectionRun run)
    {
        ChannelReader<SendItem> reader = run.Sends.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Peek, send, then remove: the item being sent keeps its place, so the queue never holds more than its limit.
            while (reader.TryPeek(out SendItem? item))
            {
                await SendOneAsync(run, item).ConfigureAwait(false);
                reader.TryRead(out _);
            }
        }
    }

#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask SendOneAsync(ConnectionRun run, SendItem item)
    {
        CancellationToken token = item.CancellationToken;
        if (token.IsCancellationRequested)
        {
            item.TrySetCanceled(token);
            return;
        }

        try
        {
            ITransport? session = null;
            while (session is null)
            {
                Task<bool> gate;
                lock (_lock)
                {
                    gate = run.ConnectedGate.Task;
                }

                if (!await TaskHelpers.WaitAsync(gate, token).ConfigureAwait(false))
                {
                    item.TrySetException(new InvalidOperationException(Resources.ConnectionClosedBeforeSend));
                    return;
                }

                lock (_lock)
                {
                    // The gate may have been replaced (reconnecting again) since it opened.
                    if (run.ConnectedGate.Task.IsCompleted && !run.Closed)
                    {
                        session = run.ActiveAttempt?.Session;
                    }
                    else if (run.Closed)
                    {
                        item.TrySetException(new InvalidOperationException(Resources.ConnectionClosedBeforeSend));
                        return;
                    }
                }
            }

            if ((TraceLevel & TraceLevels.Messages) != 0 && _syncTraceWriter != System.IO.TextWriter.Null)
            {
                Trace(TraceLevels.Messages, "Send({0})", item.Data);
            }

            await session.SendAsync(item.Data, token).ConfigureAwait(false);
            Diagnostics.ClientMetrics.Sent();
            item.TrySetResult(true);
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
    }
}
