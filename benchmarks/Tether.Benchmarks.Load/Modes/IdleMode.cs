using System.Diagnostics;
using Tether.Benchmarks.Load.Clients;
using Tether.Benchmarks.Load.Reporting;
using Tether.Benchmarks.Load.Server;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>
/// Idle connections: a fresh server process per measurement, then many idle connections of one target. Reports the
/// server's RSS, GC heap and GC-committed bytes per connection (after a full collection, against the same figures
/// before any connection), the connect rate, and the time one broadcast takes to reach every connection.
/// </summary>
internal sealed class IdleMode : IMode
{
    public string Name => "idle";

    public async Task<IReadOnlyList<Reporter.Result>> RunAsync(LoadSettings settings, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        // The classic client is left out: idle server memory does not depend on which client holds the connection.
        var targets = Target.All.Where(t => t.Name != Target.Classic).ToList();
        var scenarios = new List<Scenario>();
        foreach (int connections in settings.IdleConnections)
        {
            foreach (var target in targets)
            {
                scenarios.Add(new Scenario(Name, target.Name, target.Transport, $"{connections} idle", "rssBytesPerConnection", false,
                    ct => MeasureAsync(target, connections, settings, ct)));
            }
        }

        return await Reporter.RunAsync(scenarios, runs, output, cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<string, double>> MeasureAsync(Target target, int connections, LoadSettings settings, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.MeasurementLimit);
        await using var server = await ServerProcess.StartAsync(redis: null);

        // One connection first, so the code paths are loaded and JIT-compiled before the baseline.
        await using (var first = await ClientSet.ConnectAsync(target, [server.BaseUri], 1, limit.Token))
        {
            await first.ReadyAsync(limit.Token);
        }

        var before = await server.StatsAsync(collect: true);
        var watch = Stopwatch.StartNew();
        await using var set = await ClientSet.ConnectAsync(target, [server.BaseUri], connections, limit.Token);
        double connectSeconds = watch.Elapsed.TotalSeconds;
        await set.ReadyAsync(limit.Token);
        var after = await server.StatsAsync(collect: true);

        watch.Restart();
        await server.BroadcastAsync(target.ServerTarget, 1, 32);
        await set.WaitForAllAsync(1, limit.Token);
        double broadcastMilliseconds = watch.Elapsed.TotalMilliseconds;

        return new Dictionary<string, double>
        {
            ["rssBytesPerConnection"] = (after.WorkingSetBytes - before.WorkingSetBytes) / (double)connections,
            ["gcHeapBytesPerConnection"] = (after.HeapBytes - before.HeapBytes) / (double)connections,
            ["gcCommittedBytesPerConnection"] = (after.CommittedBytes - before.CommittedBytes) / (double)connections,
            ["connectsPerSecond"] = connections / connectSeconds,
            ["broadcastToAllMilliseconds"] = broadcastMilliseconds,
            ["serverRssBytes"] = after.WorkingSetBytes,
        };
    }
}
