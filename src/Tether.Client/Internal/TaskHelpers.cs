using System;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal;

/// <summary>Small task helpers that work the same on netstandard2.0 and modern .NET.</summary>
internal static class TaskHelpers
{
    /// <summary>Awaits a task, or throws <see cref="OperationCanceledException"/> when the token fires first.</summary>
    public static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        if (task.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static s => ((TaskCompletionSource<T>)s!).TrySetCanceled(), cancelled))
        {
            Task<T> winner = await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false);
            return await winner.ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a task for at most a while, on the given clock; returns whether it completed.</summary>
    public static async Task<bool> WaitBoundedAsync(Task task, TimeSpan timeout, TimeProvider timeProvider)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        using var cts = new CancellationTokenSource();
        Task delay = Clock.Delay(timeProvider, timeout, cts.Token);
        Task winner = await Task.WhenAny(task, delay).ConfigureAwait(false);
        cts.Cancel();
        return winner == task;
    }

    /// <summary>Observes a task's exception so that it is never reported as unobserved.</summary>
    public static void Forget(this Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
