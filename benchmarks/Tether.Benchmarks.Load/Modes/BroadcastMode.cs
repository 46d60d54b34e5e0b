using Tether.Benchmarks.Load.Clients;
using Tether.Benchmarks.Load.Reporting;
using Tether.Benchmarks.Load.Server;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>Broadcast fan-out on one node: WebSocket receivers of every target; the server broadcasts.</summary>
internal sealed class BroadcastMode : IMode
{
    public string Name => "broadcast";

    public async Task<IReadOnlyList<Reporter.Result>> RunAsync(LoadSettings settings, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(redis: null);
        var scenarios = new List<Scenario>();
        foreach (int receivers in settings.BroadcastReceivers)
        {
            foreach (var target in Target.All.Where(t => t.Transport == Target.WebSockets))
            {
                scenarios.Add(new Scenario(Name, target.Name, target.Transport, $"{receivers} receivers x {settings.BroadcastMessages}", "deliveriesPerSecond", true,
                    async ct => await FanOut.MeasureAsync([server], target, receivers, settings.BroadcastMessages, settings.MeasurementLimit, ct)));
            }
        }

        return await Reporter.RunAsync(scenarios, runs, output, cancellationToken);
    }
}
