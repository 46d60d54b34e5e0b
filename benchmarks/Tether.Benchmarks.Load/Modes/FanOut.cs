using System.Diagnostics;
using Tether.Benchmarks.Load.Clients;
using Tether.Benchmarks.Load.Server;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>
/// One fan-out measurement: receivers spread over the nodes, the first node broadcasts a number of messages, and the
/// clock runs from the request until every receiver has every message.
/// </summary>
internal static class FanOut
{
    private const int PayloadBytes = 32;

    /// <summary>
    /// Deliveries per second, and the costs per delivery (server figures summed over the nodes); with
    /// <paramref name="redisCommands"/>, the Redis commands per broadcast message during the timed part. The first node
    /// broadcasts from <paramref name="senders"/> concurrent senders.
    /// </summary>
    public static async Task<Dictionary<string, double>> MeasureAsync(
        IReadOnlyList<ServerProcess> nodes, Target target, int receivers, int messages, TimeSpan measurementLimit, CancellationToken cancellationToken,
        Func<Task<long>>? redisCommands = null, int senders = 1)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(measurementLimit);
        await using var set = await ClientSet.ConnectAsync(target, nodes.Select(n => n.BaseUri).ToList(), receivers, limit.Token);
        await set.ReadyAsync(limit.Token);

        // Warm-up: one broadcast reaches everyone before the clock starts.
        await nodes[0].BroadcastAsync(target.ServerTarget, 1, PayloadBytes);
        await set.WaitForAllAsync(1, limit.Token);

        long commandsBefore = redisCommands is null ? 0 : await redisCommands();
        var meter = await CostMeter.StartAsync(nodes);
        var watch = Stopwatch.StartNew();
        await nodes[0].BroadcastAsync(target.ServerTarget, messages, PayloadBytes, senders);
        await set.WaitForAllAsync(1 + messages, limit.Token);
        double seconds = watch.Elapsed.TotalSeconds;
        double deliveries = (double)receivers * messages;
        var metrics = new Dictionary<string, double>
        {
            ["deliveriesPerSecond"] = deliveries / seconds,
            ["milliseconds"] = seconds * 1000,
            ["deliveries"] = deliveries,
        };
        await meter.StopAsync(deliveries, metrics);
        if (redisCommands is not null)
        {
            metrics["redisCommandsPerMessage"] = (await redisCommands() - commandsBefore) / (double)messages;
        }

        return metrics;
    }
}
