using System.Globalization;
using Tether.Benchmarks.Attacks.Infrastructure;

namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>Attacks 5 and 6: tokens used on another endpoint, <c>/start</c> after <c>/abort</c>, aborts of ids that never connected.</summary>
internal static class LifecycleAttacks
{
    /// <summary>An <c>/echo</c> connection's token on <c>/broadcast/abort</c>, then the real abort and a retried one.</summary>
    public static async Task<AttackResult> CrossEndpointAsync()
    {
        await using var run = await AttackRun.StartAsync("5 cross-endpoint token");
        var client = run.Client;
        var (connection, _) = await client.OpenLongPollingAsync("echo");
        var foreign = await client.AbortAsync(connection, "broadcast");
        string afterForeign = run.Host.Events.ToString();
        var own = await client.AbortAsync(connection, "echo");
        string afterOwn = run.Host.Events.ToString();
        var retried = await client.AbortAsync(connection, "echo");
        string detail = $"/broadcast/abort with the echo token: {foreign.Status}, events then [{afterForeign}]; " +
            $"/echo/abort: {own.Status} [{afterOwn}]; retried /echo/abort: {retried.Status} [{run.Host.Events}]";
        return run.Result(run.Growth(), detail);
    }

    /// <summary>connect, start, abort, then start again on <c>/echo</c>.</summary>
    public static async Task<AttackResult> StartAfterAbortAsync()
    {
        await using var run = await AttackRun.StartAsync("6a start after abort");
        var client = run.Client;
        var connection = await client.NegotiateAsync("echo");
        await client.ConnectLongPollingAsync(connection);
        var start = await client.StartAsync(connection, "echo");
        var abort = await client.AbortAsync(connection, "echo");
        string afterAbort = run.Host.Events.ToString();
        var again = await client.StartAsync(connection, "echo");
        string detail = $"start {start.Status}, abort {abort.Status} [{afterAbort}], start again {again.Status} [{run.Host.Events}]";
        return run.Result(run.Growth(), detail);
    }

    /// <summary>2,000 negotiate + abort pairs on <c>/echo</c>, four at a time, none ever connected.</summary>
    public static async Task<AttackResult> AbortNeverConnectedAsync(AttackScale scale)
    {
        await using var run = await AttackRun.StartAsync("6b abort never-connected");
        int next = -1;
        var workers = Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < scale.AbortPairs)
            {
                var connection = await run.Client.NegotiateAsync("echo");
                await run.Client.AbortAsync(connection, "echo");
            }
        });
        await Task.WhenAll(workers);
        double seconds = run.Elapsed.TotalSeconds;
        string detail = string.Create(
            CultureInfo.InvariantCulture,
            $"{scale.AbortPairs} negotiate+abort pairs in {seconds:F2} s ({scale.AbortPairs / seconds:F0} pairs/s); OnDisconnected ran {run.Host.Events.DisconnectedCount(EventCounts.Echo)} times");
        return run.Result(run.Growth(), detail);
    }
}
