using Tether.Benchmarks.Load.Reporting;
using Tether.Benchmarks.Load.Server;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>
/// Measures what a stretch of work cost: server CPU and allocations (sampled in each server process) and this
/// process's allocations (the clients), per message.
/// </summary>
internal sealed class CostMeter
{
    private readonly IReadOnlyList<ServerProcess> _servers;
    private readonly List<ServerStats> _before;
    private readonly long _clientAllocatedBefore;

    private CostMeter(IReadOnlyList<ServerProcess> servers, List<ServerStats> before)
    {
        _servers = servers;
        _before = before;
        _clientAllocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    }

    public static async Task<CostMeter> StartAsync(params IReadOnlyList<ServerProcess> servers)
    {
        var before = new List<ServerStats>();
        foreach (var server in servers)
        {
            before.Add(await server.StatsAsync());
        }

        return new CostMeter(servers, before);
    }

    /// <summary>The costs per message since the start, added to <paramref name="metrics"/>.</summary>
    public async Task StopAsync(double messages, Dictionary<string, double> metrics)
    {
        long clientAllocated = GC.GetTotalAllocatedBytes(precise: true) - _clientAllocatedBefore;
        double cpu = 0;
        double allocated = 0;
        for (int i = 0; i < _servers.Count; i++)
        {
            var after = await _servers[i].StatsAsync();
            cpu += after.CpuMilliseconds - _before[i].CpuMilliseconds;
            allocated += after.AllocatedBytes - _before[i].AllocatedBytes;
        }

        metrics[Scenario.ServerCpuPerMessage] = cpu * 1000 / messages;
        metrics[Scenario.ServerAllocatedPerMessage] = allocated / messages;
        metrics[Scenario.ClientAllocatedPerMessage] = clientAllocated / messages;
    }
}
