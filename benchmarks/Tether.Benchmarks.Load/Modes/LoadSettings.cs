namespace Tether.Benchmarks.Load.Modes;

/// <summary>The bounds of a run: every count and duration the modes use, smaller with <c>--smoke</c>.</summary>
internal sealed record LoadSettings
{
    public required bool Smoke { get; init; }

    public required TimeSpan EchoDuration { get; init; }

    public required int[] EchoConnections { get; init; }

    public required int[] PayloadBytes { get; init; }

    public required int LatencyRate { get; init; }

    public required TimeSpan LatencyDuration { get; init; }

    public required int[] BroadcastReceivers { get; init; }

    public required int BroadcastMessages { get; init; }

    public required int[] IdleConnections { get; init; }

    public required int ScaleOutReceivers { get; init; }

    public required int[] ScaleOutNodes { get; init; }

    /// <summary>Concurrent broadcast senders on the first node, one scale-out measurement each.</summary>
    public required int[] ScaleOutSenders { get; init; }

    /// <summary>No single measurement may take longer than this.</summary>
    public required TimeSpan MeasurementLimit { get; init; }

    public static LoadSettings Create(bool smoke) => smoke
        ? new LoadSettings
        {
            Smoke = true,
            EchoDuration = TimeSpan.FromMilliseconds(200),
            EchoConnections = [1, 2],
            PayloadBytes = [32],
            LatencyRate = 100,
            LatencyDuration = TimeSpan.FromMilliseconds(200),
            BroadcastReceivers = [4],
            BroadcastMessages = 3,
            IdleConnections = [10],
            ScaleOutReceivers = 6,
            ScaleOutNodes = [1, 2],
            ScaleOutSenders = [1, 2],
            MeasurementLimit = TimeSpan.FromSeconds(20),
        }
        : new LoadSettings
        {
            Smoke = false,
            EchoDuration = TimeSpan.FromSeconds(2),
            EchoConnections = [1, 10, 100],
            PayloadBytes = [32, 1024],
            LatencyRate = 200,
            LatencyDuration = TimeSpan.FromSeconds(3),
            BroadcastReceivers = [100, 1000],
            BroadcastMessages = 50,
            IdleConnections = [5000, 10000],
            ScaleOutReceivers = 100,
            ScaleOutNodes = [1, 2, 3],
            ScaleOutSenders = [1, 10],
            MeasurementLimit = TimeSpan.FromSeconds(120),
        };
}
