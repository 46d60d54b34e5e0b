using Tether.Benchmarks.Load.Reporting;

namespace Tether.Benchmarks.Load.Modes;

/// <summary>One family of measurements (echo, latency, broadcast, idle, scaleout), with the servers it needs.</summary>
internal interface IMode
{
    string Name { get; }

    /// <summary>Starts what the mode needs, runs its scenarios <paramref name="runs"/> times and prints their JSON lines.</summary>
    Task<IReadOnlyList<Reporter.Result>> RunAsync(LoadSettings settings, int runs, TextWriter output, CancellationToken cancellationToken);
}
