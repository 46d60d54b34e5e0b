using System.Diagnostics;
using Tether.Benchmarks.Load.Clients;
using Tether.Benchmarks.Load.Reporting;
using Tether.Benchmarks.Load.Server;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>Round-trip latency of one connection sending at a fixed rate: p50, p90, p99 and p99.9 per target.</summary>
internal sealed class LatencyMode : IMode
{
    private const int PayloadBytes = 32;

    public string Name => "latency";

    public async Task<IReadOnlyList<Reporter.Result>> RunAsync(LoadSettings settings, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(redis: null);
        var scenarios = Target.All
            .Select(target => new Scenario(Name, target.Name, target.Transport, $"{settings.LatencyRate}/s, {PayloadBytes} B", "p99Microseconds", false,
                ct => MeasureAsync(server, target, settings, ct)))
            .ToList();
        return await Reporter.RunAsync(scenarios, runs, output, cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<string, double>> MeasureAsync(ServerProcess server, Target target, LoadSettings settings, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.MeasurementLimit);
        string payload = new('x', PayloadBytes);
        using var reply = new SemaphoreSlim(0);
        await using var client = target.Create(server.BaseUri);
        await client.ConnectAsync(_ => reply.Release(), limit.Token);
        for (int i = 0; i < 10; i++)
        {
            await client.SendAsync(payload);
            await reply.WaitAsync(limit.Token);
        }

        var interval = TimeSpan.FromSeconds(1.0 / settings.LatencyRate);
        int count = Math.Max(1, (int)(settings.LatencyDuration / interval));
        var samples = new double[count];
        var meter = await CostMeter.StartAsync(server);
        using var timer = new PeriodicTimer(interval);
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await client.SendAsync(payload);
            await reply.WaitAsync(limit.Token);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            await timer.WaitForNextTickAsync(limit.Token);
        }

        Array.Sort(samples);
        var metrics = new Dictionary<string, double>
        {
            ["p50Microseconds"] = Stat.Percentile(samples, 50),
            ["p90Microseconds"] = Stat.Percentile(samples, 90),
            ["p99Microseconds"] = Stat.Percentile(samples, 99),
            ["p999Microseconds"] = Stat.Percentile(samples, 99.9),
            ["messages"] = count,
        };
        await meter.StopAsync(count, metrics);
        return metrics;
    }
}
