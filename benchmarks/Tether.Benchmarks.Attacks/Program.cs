using System.Diagnostics;
using Tether.Benchmarks.Attacks.Attacks;
using Tether.Benchmarks.Attacks.Infrastructure;

// Replays the attacks of issue 7 against an in-process Tether server on 127.0.0.1 with the default options, and prints
// for each one JSON line, then a table; writes RESULTS.md next to this project (not with --smoke). Loopback only,
// bounded in count and time. Usage:
//   dotnet run -c Release --project benchmarks/Tether.Benchmarks.Attacks [-- --smoke]
var scale = args.Contains("--smoke") ? AttackScale.Tiny : AttackScale.Full;
Console.WriteLine($"Attacks on Tether.Server ({(scale.Smoke ? "smoke" : "full")} run), {Report.Machine()}");

var attacks = new List<Func<Task<IReadOnlyList<AttackResult>>>>
{
    async () => [await SteadyState.LastOfAsync(scale.Smoke ? 1 : 2, () => ForgedCursorAttack.RunAsync(scale))],
    async () => [await StalledReaderAttack.RunAsync(scale)],
    async () => [await SteadyState.LastOfAsync(scale.Smoke ? 1 : 2, () => SendFloodAttack.RunAsync(scale))],
    async () => scale.Smoke ? [] : [await SendFloodAttack.RunAfterTtlAsync(scale)],
    async () => [await RawMessageIdAttack.RunAsync()],
    async () => [await LifecycleAttacks.CrossEndpointAsync()],
    async () => [await LifecycleAttacks.StartAfterAbortAsync()],
    async () => [await LifecycleAttacks.AbortNeverConnectedAsync(scale)],
    async () => [await MalformedRequestAttacks.BadHostAsync()],
    async () => [await MalformedRequestAttacks.ChunkedSendAsync()],
    () => RedisAttacks.RunAsync(scale),
};

var watch = Stopwatch.StartNew();
var results = new List<AttackResult>();
int failures = 0;
foreach (var attack in attacks)
{
    try
    {
        // Each attack is bounded in time as well as in count: one that hangs is reported and the run goes on.
        foreach (var result in await attack().WaitAsync(scale.Smoke ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(100)))
        {
            Report.PrintLine(result);
            results.Add(result);
        }
    }
    catch (Exception ex)
    {
        failures++;
        Console.WriteLine($"attack failed: {ex.GetType().Name}: {ex.Message}");
    }
}

Console.WriteLine();
Console.Write(Report.Table(results));
Console.WriteLine();
Console.Write(Report.Details(results));
Console.WriteLine($"whole run: {watch.Elapsed.TotalSeconds:F0} s");
if (!scale.Smoke && failures == 0)
{
    Console.WriteLine($"written: {Report.WriteMarkdown(results, watch.Elapsed)}");
}

return failures == 0 ? 0 : 1;
