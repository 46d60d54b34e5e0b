using System.Diagnostics;
using Tether.Benchmarks.Load.Clients;
using Tether.Benchmarks.Load.Reporting;
using Tether.Benchmarks.Load.Server;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>
/// Echo throughput: each connection sends a message and waits for it to come back, in a loop, for a fixed time;
/// every target and transport at each connection count and payload size.
/// </summary>
internal sealed class EchoMode : IMode
{
    public string Name => "echo";

    public async Task<IReadOnlyList<Reporter.Result>> RunAsync(LoadSettings settings, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(redis: null);
        var scenarios = new List<Scenario>();
        foreach (int connections in settings.EchoConnections)
        {
            foreach (int payload in settings.PayloadBytes)
            {
                foreach (var target in Target.All)
                {
                    scenarios.Add(new Scenario(Name, target.Name, target.Transport, $"{connections} conn, {payload} B", "messagesPerSecond", true,
                        ct => MeasureAsync(server, target, connections, payload, settings, ct)));
                }
            }
        }

        return await Reporter.RunAsync(scenarios, runs, output, cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<string, double>> MeasureAsync(ServerProcess server, Target target, int connections, int payloadBytes, LoadSettings settings, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.MeasurementLimit);
        string payload = new('x', payloadBytes);
        var replies = Enumerable.Range(0, connections).Select(_ => new SemaphoreSlim(0)).ToArray();
        var clients = Enumerable.Range(0, connections).Select(_ => target.Create(server.BaseUri)).ToList();
        try
        {
            await Parallel.ForAsync(0, connections, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = limit.Token }, async (i, ct) =>
            {
                var reply = replies[i];
                await clients[i].ConnectAsync(_ => reply.Release(), ct);
            });

            // Warm-up: a few round trips per connection (JIT, buffers), not measured.
            await Task.WhenAll(clients.Select((c, i) => LoopAsync(c, replies[i], payload, DateTime.UtcNow.AddMilliseconds(100), limit.Token)));

            var meter = await CostMeter.StartAsync(server);
            var watch = Stopwatch.StartNew();
            var deadline = DateTime.UtcNow + settings.EchoDuration;
            long[] counts = await Task.WhenAll(clients.Select((c, i) => LoopAsync(c, replies[i], payload, deadline, limit.Token)));
            double seconds = watch.Elapsed.TotalSeconds;
            double messages = counts.Sum();
            var metrics = new Dictionary<string, double> { ["messagesPerSecond"] = messages / seconds, ["messages"] = messages };
            await meter.StopAsync(messages, metrics);
            return metrics;
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            foreach (var reply in replies)
            {
                reply.Dispose();
            }
        }
    }

    /// <summary>Round trips until the deadline; at least one.</summary>
    private static async Task<long> LoopAsync(IBenchClient client, SemaphoreSlim reply, string payload, DateTime deadline, CancellationToken cancellationToken)
    {
        long count = 0;
        do
        {
            await client.SendAsync(payload);
            await reply.WaitAsync(cancellationToken);
            count++;
        }
        while (DateTime.UtcNow < deadline);

        return count;
    }
}
