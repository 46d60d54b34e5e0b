using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Internal;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>Stops the current run (if any) and, unless called from a callback, waits until Closed has run.</summary>
    private async Task StopCore(Exception? error, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool fromCallback = _dispatcher.IsCurrent;
        ConnectionRun? run;
        lock (_lock)
        {
            run = _run;
        }

        if (run != null)
        {
            await StopRunAsync(run, error, timeout, cancellationToken).ConfigureAwait(false);
        }

        if (!fromCallback)
        {
            await _dispatcher.WhenProcessedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops one run: no more reconnects, <c>/abort</c> (bounded by <paramref name="timeout"/>), a bounded wait for the
    /// server to end the receive channel, then the close. Concurrent calls share one stop.
    /// </summary>
    private Task StopRunAsync(ConnectionRun run, Exception? error, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> stop;
        bool first = false;
        lock (_lock)
        {
            if (_run != run || run.Closed)
            {
                return run.ShutdownTask;
            }

            if (run.StopTcs is null)
            {
                run.StopTcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                first = true;

                // Once stopping begins no result may complete an invocation any more, not even one read meanwhile.
                OnConnectionLost(closed: true);
            }

            stop = run.StopTcs;
        }

        if (first)
        {
            _ = RunStopAsync(run, stop, error, timeout, cancellationToken);
        }

        return stop.Task;
    }

    private async Task RunStopAsync(ConnectionRun run, TaskCompletionSource<bool> stop, Exception? error, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            Log.Stopping(_logger);
            Trace(TraceLevels.Events, "Stop");
            if (error != null)
            {
                RaiseError(run, error);
            }

            run.StopCts.Cancel();
            bool connecting;
            TransportAttempt? host;
            string? token;
            lock (_lock)
            {
                run.Monitor?.Dispose();
                run.Monitor = null;
                connecting = _state == ConnectionState.Connecting;
                host = run.ActiveAttempt;
                token = _connectionToken;
            }

            // The state changes at once (before the first await, so a Stop() from a callback sees it done); the abort
            // and the wait for the server to end the receive channel happen before the transport is torn down.
            Task drain = Task.CompletedTask;
            if (connecting)
            {
                run.DisconnectCts.Cancel();
            }
            else if (token != null && host != null)
            {
                drain = AbortAndDrainAsync(run, host, timeout, cancellationToken);
            }

            Disconnect(run, error, drain);
            await TaskHelpers.WaitBoundedAsync(run.ShutdownTask, timeout + TimeSpan.FromSeconds(5), TimeProvider.System).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.StopFailed(_logger, ex);
            Disconnect(run, error);
        }
        finally
        {
            stop.TrySetResult(true);
        }
    }

    /// <summary><c>/abort</c>, then a bounded wait for the server to end the receive channel, as the classic client does.</summary>
    private async Task AbortAndDrainAsync(ConnectionRun run, TransportAttempt host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = TimeProvider.GetTimestamp();
        if (!await SendAbortAsync(run, host, timeout, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        TimeSpan left = timeout - TimeProvider.GetElapsedTime(started);
        if (left <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        using var cancelled = new CancellationTokenSource();
        using CancellationTokenRegistration link = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), cancelled);
        Task cancelledTask = Clock.Delay(TimeProvider, Timeout.InfiniteTimeSpan, cancelled.Token);
        await Task.WhenAny(TaskHelpers.WaitBoundedAsync(host.Session.Completion, left, TimeProvider), cancelledTask).ConfigureAwait(false);
        cancelled.Cancel();
        cancelledTask.Forget();
    }

    /// <summary>POSTs <c>/abort</c>, bounded; returns whether the server answered.</summary>
    private async Task<bool> SendAbortAsync(ConnectionRun run, TransportAttempt host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            using CancellationTokenSource bound = Clock.CreateTimeoutSource(TimeProvider, timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(bound.Token, cancellationToken);
            string url = UrlBuilder.Abort(UrlPartsFor(run, host.Session.Name));
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(string.Empty) };
            using HttpResponseMessage response = await SendHttpAsync(host.Descriptor.HttpClient, request, isLongRunning: false, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            Log.AbortFailed(_logger, ex);
            return false;
        }
    }
}
