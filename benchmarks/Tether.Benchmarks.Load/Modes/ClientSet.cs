using Tether.Benchmarks.Load.Clients;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>
/// Many connections of one target that count what they receive: connected a bounded number at a time, made ready
/// (each has had one echo back, so the server has it registered), then awaited until each has a given count.
/// </summary>
internal sealed class ClientSet : IAsyncDisposable
{
    private const int ConnectParallelism = 32;
    private readonly List<IBenchClient> _clients = [];
    private readonly long[] _received;
    private readonly object _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClientSet(int count) => _received = new long[count];

    public int Count => _received.Length;

    public IReadOnlyList<IBenchClient> Clients => _clients;

    /// <summary>Connects <paramref name="count"/> clients of <paramref name="target"/>, the i-th to <paramref name="servers"/>[i mod n].</summary>
    public static async Task<ClientSet> ConnectAsync(Target target, IReadOnlyList<Uri> servers, int count, CancellationToken cancellationToken)
    {
        var set = new ClientSet(count);
        for (int i = 0; i < count; i++)
        {
            set._clients.Add(target.Create(servers[i % servers.Count]));
        }

        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            int index = i;
            await set._clients[index].ConnectAsync(_ => set.OnReceived(index), ct);
        });
        return set;
    }

    /// <summary>Each client sends one message and waits for its echo; the counts then start from zero.</summary>
    public async Task ReadyAsync(CancellationToken cancellationToken)
    {
        await Parallel.ForAsync(0, Count, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            await _clients[i].SendAsync("ready");
        });
        await WaitForAllAsync(1, cancellationToken);
        lock (_lock)
        {
            Array.Clear(_received);
        }
    }

    /// <summary>Waits until every client has received at least <paramref name="count"/> messages.</summary>
    public async Task WaitForAllAsync(long count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_received.Min() >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Parallel.ForEachAsync(_clients, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism }, async (client, _) => await client.DisposeAsync());
    }

    private void OnReceived(int index)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _received[index]++;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
