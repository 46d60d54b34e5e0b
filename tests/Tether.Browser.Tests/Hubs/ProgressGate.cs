using System.Collections.Concurrent;

namespace Tether.Browser.Tests.Hubs;

/// <summary>Holds <see cref="ChatHub.CountTo"/> of one connection until the test opens it.</summary>
public sealed class ProgressGate
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

    public Task WaitAsync(string connectionId) => Gate(connectionId).Task;

    public void Open(string connectionId) => Gate(connectionId).TrySetResult();

    private TaskCompletionSource Gate(string connectionId) =>
        _gates.GetOrAdd(connectionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
