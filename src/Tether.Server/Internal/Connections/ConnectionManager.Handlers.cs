namespace Tether.Server.Internal;

/// <summary>
/// The event handlers of the <see cref="ConnectionManager"/>: each is raised with its failure logged, and the
/// <c>OnDisconnected</c> ones are tracked so that shutdown can wait for them.
/// </summary>
internal sealed partial class ConnectionManager
{
    private async Task RaiseConnectedAsync(IConnectionEvents events, IRequest request, string connectionId)
    {
        try
        {
            await events.RaiseConnectedAsync(request, connectionId).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing handler is the application's bug: log it, never fault the receive loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ConnectHandlerFailed(_logger, connectionId, ex);
            _metrics.Error("handler_failed");
        }
    }

    private Task Raise(IConnectionEvents events, IRequest request, string connectionId, bool stopCalled) =>
        Track(() => RaiseAsync(events, request, connectionId, stopCalled));

    private async Task RaiseAsync(IConnectionEvents events, IRequest request, string connectionId, bool stopCalled)
    {
        try
        {
            await events.RaiseDisconnectedAsync(request, connectionId, stopCalled).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing handler is the application's bug: log it, never fault the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.DisconnectHandlerFailed(_logger, connectionId, ex);
            _metrics.Error("handler_failed");
        }
    }

    /// <summary>
    /// Starts work that shutdown waits for (<see cref="DrainHandlersAsync"/>), counted in <see cref="RunningHandlers"/>
    /// before it starts, so work that is already running is always counted.
    /// </summary>
    private Task Track(Func<Task> start)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handlers.TryAdd(done.Task, true);
        _ = RunTrackedAsync(start, done);
        return done.Task;
    }

    private async Task RunTrackedAsync(Func<Task> start, TaskCompletionSource done)
    {
        try
        {
            await start().ConfigureAwait(false);
        }
        finally
        {
            _handlers.TryRemove(done.Task, out _);
            done.TrySetResult();
        }
    }
}
