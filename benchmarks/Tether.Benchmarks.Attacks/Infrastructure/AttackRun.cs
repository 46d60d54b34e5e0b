using System.Diagnostics;
using Tether.Server;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>One attack against a fresh server: the host, the attacker's client, the tally, the memory baseline and the clock.</summary>
internal sealed class AttackRun : IAsyncDisposable
{
    private readonly Stopwatch _watch;
    private readonly MemorySnapshot _baseline;
    private readonly int _errorsBefore;

    private AttackRun(string name, AttackHost host, Tally tally, ProtocolClient client)
    {
        Name = name;
        Host = host;
        Tally = tally;
        Client = client;
        _errorsBefore = host.Errors.Count;
        _baseline = MemorySnapshot.Take();
        _watch = Stopwatch.StartNew();
    }

    public string Name { get; }

    public AttackHost Host { get; }

    public Tally Tally { get; }

    public ProtocolClient Client { get; }

    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>Starts a server, warms it up with one negotiate and one ping (not counted) and takes the memory baseline.</summary>
    public static async Task<AttackRun> StartAsync(string name, Action<PersistentConnectionOptions>? configure = null, Action<IPersistentConnectionBuilder>? backplane = null)
    {
        var host = await AttackHost.StartAsync(configure, backplane);
        using (var warmUp = new ProtocolClient(host.BaseUri, new Tally()))
        {
            await warmUp.NegotiateAsync("echo");
            await warmUp.GetAsync("echo/ping");
        }

        var tally = new Tally();
        return new AttackRun(name, host, tally, new ProtocolClient(host.BaseUri, tally));
    }

    /// <summary>Memory growth since the baseline (after a forced full GC).</summary>
    public MemorySnapshot Growth() => MemorySnapshot.Take().Since(_baseline);

    public AttackResult Result(MemorySnapshot growth, string detail, long? responseBytes = null) => new(
        Name,
        Tally.SentBytes,
        responseBytes ?? Tally.ReceivedBytes,
        growth.HeapBytes,
        growth.WorkingSetBytes,
        BusProbe.BufferedBytes(Host.Services),
        Host.Events.ToString(),
        Tally.Statuses(),
        Math.Round(_watch.Elapsed.TotalSeconds, 2),
        Host.Errors.Count - _errorsBefore,
        detail);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
