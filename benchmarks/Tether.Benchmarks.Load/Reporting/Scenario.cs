namespace Tether.Benchmarks.Load.Reporting;

/// <summary>One thing to measure, run once per run so targets alternate within a run and ratios are in-run.</summary>
/// <param name="Mode">echo, latency, broadcast, idle or scaleout.</param>
/// <param name="Target">tether, classic, aspnetcore or raw.</param>
/// <param name="Transport">webSockets, serverSentEvents or longPolling.</param>
/// <param name="Setup">What else sets this case apart (connections, payload, nodes), the same across targets.</param>
/// <param name="Primary">The headline metric, compared across targets.</param>
/// <param name="HigherIsBetter">Whether a larger primary value is the better one.</param>
/// <param name="RunOnceAsync">Runs the measurement once and returns its metrics by name.</param>
/// <param name="BaselineSetup">Another setup of the same mode the same target is also compared with (e.g. the in-process bus).</param>
internal sealed record Scenario(
    string Mode,
    string Target,
    string Transport,
    string Setup,
    string Primary,
    bool HigherIsBetter,
    Func<CancellationToken, Task<IReadOnlyDictionary<string, double>>> RunOnceAsync,
    string? BaselineSetup = null)
{
    /// <summary>The metric names every throughput measurement reports.</summary>
    public const string ServerCpuPerMessage = "serverCpuMicrosecondsPerMessage";
    public const string ServerAllocatedPerMessage = "serverAllocatedBytesPerMessage";
    public const string ClientAllocatedPerMessage = "clientAllocatedBytesPerMessage";

    /// <summary>The key that lines up the same case across targets.</summary>
    public string CaseKey => $"{Mode}|{Setup}";
}
