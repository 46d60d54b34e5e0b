using StackExchange.Redis;
using Tether.Benchmarks.Load.Clients;
using Tether.Benchmarks.Load.Reporting;
using Tether.Benchmarks.Load.Server;
using Tether.Tests.Utils;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>
/// Scale-out: the same broadcast with 1 node on the in-process bus, then 1, 2 and 3 nodes sharing a redis-server of
/// our own, receivers spread over the nodes; Tether and ASP.NET Core SignalR (its Redis backplane). Reports the Redis
/// commands per broadcast message as well. Each setup runs with one sender (one broadcast in flight at a time, so
/// every message pays a Redis round trip) and with several concurrent senders (what batching can use).
/// </summary>
internal sealed class ScaleOutMode : IMode
{
    public string Name => "scaleout";

    public async Task<IReadOnlyList<Reporter.Result>> RunAsync(LoadSettings settings, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        await using var redis = await RedisServerFixture.StartAsync();
        var monitorOptions = ConfigurationOptions.Parse(redis.Configuration);
        monitorOptions.AllowAdmin = true;
        using var monitor = await ConnectionMultiplexer.ConnectAsync(monitorOptions);
        var targets = Target.All.Where(t => t.Transport == Target.WebSockets && t.Name is Target.Tether or Target.AspNetCore).ToList();
        var setups = new List<(string Name, int Nodes, bool UseRedis)> { ("1 node, in-process", 1, false) };
        setups.AddRange(settings.ScaleOutNodes.Select(n => ($"{n} node{(n == 1 ? "" : "s")}, Redis", n, true)));

        var scenarios = new List<Scenario>();
        foreach (int senders in settings.ScaleOutSenders)
        {
            string Setup(string nodes) => $"{nodes}, {settings.ScaleOutReceivers} rcv, {senders} sender{(senders == 1 ? "" : "s")}";
            string inProcess = Setup(setups[0].Name);
            foreach (var (setup, nodes, useRedis) in setups)
            {
                foreach (var target in targets)
                {
                    scenarios.Add(new Scenario(Name, target.Name, target.Transport, Setup(setup), "deliveriesPerSecond", true,
                        ct => MeasureAsync(target, nodes, useRedis ? redis.Configuration : null, monitor, settings, senders, ct), useRedis ? inProcess : null));
                }
            }
        }

        return await Reporter.RunAsync(scenarios, runs, output, cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<string, double>> MeasureAsync(
        Target target, int nodeCount, string? redis, ConnectionMultiplexer monitor, LoadSettings settings, int senders, CancellationToken cancellationToken)
    {
        var nodes = new List<ServerProcess>();
        try
        {
            for (int i = 0; i < nodeCount; i++)
            {
                nodes.Add(await ServerProcess.StartAsync(redis));
            }

            var server = monitor.GetServer(monitor.GetEndPoints()[0]);
            var metrics = await FanOut.MeasureAsync(nodes, target, settings.ScaleOutReceivers, settings.BroadcastMessages, settings.MeasurementLimit, cancellationToken,
                redis is null ? null : () => CommandsProcessedAsync(server), senders);
            metrics["serverCpuMicrosecondsPerMessagePerNode"] = metrics[Scenario.ServerCpuPerMessage] * settings.ScaleOutReceivers / nodeCount;
            return metrics;
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>redis-server's count of commands processed (INFO stats), which includes this monitor's own INFO calls.</summary>
    private static async Task<long> CommandsProcessedAsync(IServer server)
    {
        var stats = await server.InfoAsync("stats");
        string value = stats.SelectMany(g => g).First(p => p.Key == "total_commands_processed").Value;
        return long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
