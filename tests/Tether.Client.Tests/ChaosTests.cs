using Tether.Tests.Utils.Chaos;
using Xunit.Abstractions;

namespace Tether.Client.Tests;

/// <summary>
/// Tether.Client through a fault proxy that resets, drains, half-closes and stalls its links at random (seeded) points:
/// every message arrives once and in order, and each connection is connected and disconnected exactly once.
/// <c>TETHER_CHAOS_CUTS</c> sets the faults per transport (shared with the official client's run in
/// Tether.Interop.Tests), <c>TETHER_CHAOS_SEED</c> replays a seed.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task SeededFaults_NothingLostOrDuplicated_OneDisconnectPerConnection(string transport)
    {
        var options = new ChaosOptions("tether", transport);
        output.WriteLine($"seed {options.Seed}, {options.Cuts} cuts");
        var report = await ChaosRun.RunAsync(options, url => TetherChaosClient.StartAsync(url, transport));
        output.WriteLine(report.ToString());
        var problems = report.Problems();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Concat(report.Connections.Select(c => c.ClientEvents))));
        Assert.True(report.Faults.Cuts >= options.Cuts, $"only {report.Faults.Cuts} of {options.Cuts} cuts were applied");
    }

    /// <summary>Tether.Client behind the chaos surface, with the short reconnect delays of the other fault tests.</summary>
    private sealed class TetherChaosClient(Connection connection, Probe probe, string connectionId) : IChaosClient
    {
        private bool _stopping;

        public string ConnectionId => connectionId;

        public IReadOnlyList<string> Received => probe.Messages;

        public int Reconnects => probe.Count("reconnected");

        public bool GaveUp => !_stopping && probe.Events.Contains("closed");

        public static async Task<IChaosClient> StartAsync(string url, string transport)
        {
            var connection = new Connection(url);
            var probe = new Probe(connection);
            try
            {
                await connection.StartAsync(Transports.Create(transport)).DefaultTimeout();
                return new TetherChaosClient(connection, probe, connection.ConnectionId!);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public string Describe() => string.Join(", ", probe.Events.Where(e => !e.StartsWith("received:", StringComparison.Ordinal)));

        public Task SendAsync(string data) => connection.SendAsync(data);

        public Task WaitForMessage(string data) => probe.UntilMessage(data);

        public Task StopAsync()
        {
            _stopping = true;
            return connection.StopAsync();
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
