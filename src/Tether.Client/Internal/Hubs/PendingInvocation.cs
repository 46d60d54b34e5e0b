using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Hubs;

/// <summary>
/// One hub invocation waiting for its result. Progress callbacks run on the thread pool, one at a time and in arrival
/// order, never on a transport's read loop nor on the dispatch loop (so a handler may await an invocation); the result
/// completes the task after every progress callback before it has run. Without progress callbacks, results and
/// failures complete it at once, under the pending list's lock.
/// </summary>
internal sealed class PendingInvocation
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource<JsonElement?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<JsonElement>? _onProgress;
    private Task _callbacks = Task.CompletedTask;

    public PendingInvocation(string id, HubProxy proxy, Action<JsonElement>? onProgress)
    {
        Id = id;
        Proxy = proxy;
        _onProgress = onProgress;
    }

    public string Id { get; }

    /// <summary>The proxy whose state a successful result updates.</summary>
    public HubProxy Proxy { get; }

    /// <summary>The result (<c>R</c>), or <see langword="null"/> for none; faults with the invocation's error.</summary>
    public Task<JsonElement?> Completion => _completion.Task;

    public void OnProgress(JsonElement data)
    {
        if (_onProgress is { } onProgress)
        {
            Then(() =>
            {
                try
                {
                    onProgress(data);
                }
                catch (Exception ex)
                {
                    // As the classic client: a progress callback that throws fails the invocation.
                    _completion.TrySetException(ex);
                }
            });
        }
    }

    /// <summary>Settles with <paramref name="result"/> after the progress callbacks before it, if <paramref name="claim"/> (taking it off the pending list) still succeeds then.</summary>
    public void OnResult(HubServerMessage result, Func<bool> claim) => Then(() =>
    {
        if (claim())
        {
            Settle(result);
        }
    });

    public void Fail(Exception error) => Then(() => _completion.TrySetException(error));

    public void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);

    private void Settle(HubServerMessage result)
    {
        if (result.Error is { } error)
        {
            _completion.TrySetException(result.IsHubException ? new HubException(error, result.ErrorData) : new InvalidOperationException(error));
            return;
        }

        if (result.State is { } state)
        {
            Proxy.ApplyState(state);
        }

        _completion.TrySetResult(result.Result);
    }

    /// <summary>Runs <paramref name="action"/> after the callbacks queued before it; at once when there are no progress callbacks to wait for.</summary>
    private void Then(Action action)
    {
        if (_onProgress is null)
        {
            action();
            return;
        }

        lock (_gate)
        {
            _callbacks = _callbacks.ContinueWith(static (_, s) => ((Action)s!)(), action, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
