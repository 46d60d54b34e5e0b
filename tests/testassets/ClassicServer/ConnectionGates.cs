using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Tether.ClassicServer;

/// <summary>
/// Holds a hub method of one connection until something else opens its gate: a test that has seen what it waits for
/// (every progress report) opens it with a call from another connection, and a disconnect opens it too, so no method
/// stays held after its connection is gone.
/// </summary>
public static class ConnectionGates
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> Gates = new ConcurrentDictionary<string, TaskCompletionSource<bool>>();

    /// <summary>Completes once the gate of <paramref name="connectionId"/> is opened; the gate closes again behind it.</summary>
    public static async Task WaitAsync(string connectionId)
    {
        TaskCompletionSource<bool> gate = Gate(connectionId);
        await gate.Task.ConfigureAwait(false);
        ((ICollection<KeyValuePair<string, TaskCompletionSource<bool>>>)Gates).Remove(new KeyValuePair<string, TaskCompletionSource<bool>>(connectionId, gate));
    }

    /// <summary>Opens the gate of <paramref name="connectionId"/>, whether or not a method waits at it yet.</summary>
    public static void Open(string connectionId) => Gate(connectionId).TrySetResult(true);

    private static TaskCompletionSource<bool> Gate(string connectionId) =>
        Gates.GetOrAdd(connectionId, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
}
