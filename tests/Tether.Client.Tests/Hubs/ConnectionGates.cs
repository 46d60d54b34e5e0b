using System.Collections.Concurrent;

namespace Tether.Client.Tests.Hubs;

/// <summary>
/// Holds a <see cref="ChatHub"/> method of one connection until something else opens its gate: the test, with a call
/// from another connection once it has seen what it waits for, or the server as it stops. A disconnect does not open
/// it: a test may leave an invocation held on purpose, and a result must not come while the client stops.
/// </summary>
public sealed class ConnectionGates
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

    /// <summary>Completes once the gate of <paramref name="connectionId"/> is opened; the gate closes again behind it.</summary>
    public async Task WaitAsync(string connectionId)
    {
        TaskCompletionSource gate = Gate(connectionId);
        await gate.Task;
        _gates.TryRemove(new KeyValuePair<string, TaskCompletionSource>(connectionId, gate));
    }

    /// <summary>Opens the gate of <paramref name="connectionId"/>, whether or not a method waits at it yet.</summary>
    public void Open(string connectionId) => Gate(connectionId).TrySetResult();

    /// <summary>Opens every gate, so no held invocation outlives the server.</summary>
    public void OpenAll()
    {
        foreach (var gate in _gates.Values)
        {
            gate.TrySetResult();
        }
    }

    private TaskCompletionSource Gate(string connectionId) =>
        _gates.GetOrAdd(connectionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
