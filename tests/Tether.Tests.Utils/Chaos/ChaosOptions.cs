using System.Globalization;

namespace Tether.Tests.Utils.Chaos;

/// <summary>What one chaos run does: which client over which transport, how many faults, how fast the streams flow.</summary>
public sealed record ChaosOptions(string Client, string Transport)
{
    /// <summary>Faults per transport in the default run, shared by the clients (<c>TETHER_CHAOS_CUTS</c> changes it).</summary>
    public const int DefaultCutsPerTransport = 300;

    /// <summary>How many clients the two test projects run per transport: the official one and Tether.Client.</summary>
    public const int ClientsPerTransport = 2;

    /// <summary>The seed of the fault sequence (printed; <c>TETHER_CHAOS_SEED</c> replays one).</summary>
    public int Seed { get; init; } = SeedFromEnvironment();

    /// <summary>How many connection faults (resets, drains, half-closes) the run applies; stalls come on top.</summary>
    public int Cuts { get; init; } = CutsFromEnvironment() / ClientsPerTransport;

    /// <summary>How many connections run at once through the proxy.</summary>
    public int Connections { get; init; } = 3;

    /// <summary>The pause between two faults is drawn between this and <see cref="MaxFaultInterval"/>.</summary>
    public TimeSpan MinFaultInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest pause between two faults.</summary>
    public TimeSpan MaxFaultInterval { get; init; } = TimeSpan.FromMilliseconds(80);

    /// <summary>The percentage of faults that stall the whole proxy instead of breaking one connection.</summary>
    public int StallPercent { get; init; } = 4;

    /// <summary>The longest stall: past the client's keep-alive timeout, well within the reconnect window.</summary>
    public TimeSpan MaxStall { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The pause between two server-to-client messages, per connection.</summary>
    public TimeSpan ServerInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The pause between two client-to-server messages, per connection.</summary>
    public TimeSpan ClientInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Whether a completed send proves delivery: true when sends are HTTP requests (the server answers after
    /// <c>OnReceived</c>); a WebSocket send completes once written locally, so a cut can still lose it.
    /// </summary>
    public bool SendsAreConfirmed => Transport != "webSockets";

    private static int CutsFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("TETHER_CHAOS_CUTS"), NumberStyles.None, CultureInfo.InvariantCulture, out int cuts) && cuts > 0
            ? cuts
            : DefaultCutsPerTransport;

    private static int SeedFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("TETHER_CHAOS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed)
            ? seed
            : Random.Shared.Next();
}
