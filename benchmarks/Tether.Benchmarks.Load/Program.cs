using System.Diagnostics;
using Tether.Benchmarks.Load.Clients;
using Tether.Benchmarks.Load.Modes;
using Tether.Benchmarks.Load.Reporting;
using Tether.Benchmarks.Load.Server;

// End-to-end load: Tether (Tether.Client → Tether.Server), the official classic client 2.4.2 → Tether.Server,
// ASP.NET Core SignalR 10 and raw Kestrel WebSockets, in one run; loopback only, bounded in connections, messages
// and time. One JSON line per measurement on standard output, then a summary table with in-run ratios.
//   dotnet run -c Release --project benchmarks/Tether.Benchmarks.Load -- [--mode echo|latency|broadcast|idle|scaleout|all] [--runs 3] [--smoke]
// The servers run in child processes (this program with --serve), so their CPU, allocations and RSS are their own.
var options = CommandLine.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: [--mode echo|latency|broadcast|idle|scaleout|all]... [--target tether|classic|aspnetcore|raw]... [--transport webSockets|serverSentEvents|longPolling]... [--connections N]... [--payload B]... [--runs N] [--seconds S] [--idle-connections N] [--smoke]");
    return 2;
}

if (options.Serve)
{
    await BenchServer.RunAsync(options.Redis);
    return 0;
}

Target.Keep(options.Targets, options.Transports);
IMode[] all = [new EchoMode(), new LatencyMode(), new BroadcastMode(), new IdleMode(), new ScaleOutMode()];
var modes = options.Modes.Contains("all") ? all : all.Where(m => options.Modes.Contains(m.Name)).ToArray();
var settings = LoadSettings.Create(options.Smoke);
if (options.Seconds is { } seconds)
{
    settings = settings with { EchoDuration = TimeSpan.FromSeconds(seconds), LatencyDuration = TimeSpan.FromSeconds(seconds) };
}

if (options.Connections.Count > 0)
{
    settings = settings with { EchoConnections = [.. options.Connections] };
}

if (options.Payloads.Count > 0)
{
    settings = settings with { PayloadBytes = [.. options.Payloads] };
}

if (options.IdleConnections is { } idleConnections)
{
    settings = settings with { IdleConnections = [idleConnections] };
}

// The whole run is bounded: a smoke run takes about a minute on a quiet machine, but CI may share its cores with
// another test project, so its bound leaves room; a full run is bounded at an hour.
var runLimit = options.Smoke ? TimeSpan.FromMinutes(4) : TimeSpan.FromMinutes(60);
using var cancellation = new CancellationTokenSource(runLimit);
bool interrupted = false;
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted = true;
    cancellation.Cancel();
};

Console.Error.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, runs {options.Runs}{(options.Smoke ? ", smoke" : "")}, modes {string.Join(' ', modes.Select(m => m.Name))}");
var results = new List<Reporter.Result>();
foreach (var mode in modes)
{
    var watch = Stopwatch.StartNew();
    try
    {
        results.AddRange(await mode.RunAsync(settings, options.Runs, Console.Out, cancellation.Token));
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        // Ctrl+C or the run's limit: say which, print what was measured, and fail.
        string why = interrupted ? "interrupted" : $"the run reached its {runLimit.TotalMinutes:F0}-minute limit";
        Console.Error.WriteLine($"{mode.Name}: stopped after {watch.Elapsed.TotalSeconds:F1} s ({why}); the results measured so far follow");
        Reporter.PrintTable(results, Console.Out);
        return 3;
    }

    Console.Error.WriteLine($"{mode.Name}: {watch.Elapsed.TotalSeconds:F1} s");
}

Reporter.PrintTable(results, Console.Out);
return 0;

/// <summary>
/// The command line: <c>--mode</c> (repeatable), <c>--runs</c>, <c>--seconds</c> (each echo and latency measurement),
/// <c>--idle-connections</c> (one count instead of 5,000 and 10,000), <c>--smoke</c>; <c>--serve</c> and <c>--redis</c> for the child server.
/// <c>--target</c> and <c>--transport</c> (repeatable) keep only those targets; <c>--connections</c> and
/// <c>--payload</c> (repeatable) replace echo's connection counts and payload sizes.
/// </summary>
internal sealed record CommandLine(IReadOnlySet<string> Modes, int Runs, double? Seconds, int? IdleConnections, bool Smoke, bool Serve, string? Redis)
{
    private static readonly HashSet<string> Known = ["echo", "latency", "broadcast", "idle", "scaleout", "all"];

    /// <summary>The target names to keep (empty: all).</summary>
    public HashSet<string> Targets { get; } = [];

    /// <summary>The transports to keep (empty: all).</summary>
    public HashSet<string> Transports { get; } = [];

    /// <summary>Echo's connection counts (empty: the defaults).</summary>
    public List<int> Connections { get; } = [];

    /// <summary>Echo's payload sizes in bytes (empty: the defaults).</summary>
    public List<int> Payloads { get; } = [];

    public static CommandLine? Parse(string[] args)
    {
        var modes = new HashSet<string>();
        int runs = 3;
        bool smoke = false;
        bool serve = false;
        string? redis = null;
        double? seconds = null;
        int? idleConnections = null;
        HashSet<string> targets = [];
        HashSet<string> transports = [];
        List<int> connections = [];
        List<int> payloads = [];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--mode" when i + 1 < args.Length && Known.Contains(args[i + 1]):
                    modes.Add(args[++i]);
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out runs) && runs is >= 1 and <= 20:
                    i++;
                    break;
                case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out double s) && s is > 0 and <= 60:
                    seconds = s;
                    i++;
                    break;
                case "--idle-connections" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n is >= 1 and <= 20_000:
                    idleConnections = n;
                    i++;
                    break;
                case "--target" when i + 1 < args.Length && Target.Every.Any(t => t.Name == args[i + 1]):
                    targets.Add(args[++i]);
                    break;
                case "--transport" when i + 1 < args.Length && Target.Every.Any(t => t.Transport == args[i + 1]):
                    transports.Add(args[++i]);
                    break;
                case "--connections" when i + 1 < args.Length && int.TryParse(args[i + 1], out int c) && c is >= 1 and <= 1_000:
                    connections.Add(c);
                    i++;
                    break;
                case "--payload" when i + 1 < args.Length && int.TryParse(args[i + 1], out int b) && b is >= 1 and <= 1_048_576:
                    payloads.Add(b);
                    i++;
                    break;
                case "--smoke":
                    smoke = true;
                    break;
                case "--serve":
                    serve = true;
                    break;
                case "--redis" when i + 1 < args.Length:
                    redis = args[++i];
                    break;
                default:
                    return null;
            }
        }

        if (modes.Count == 0)
        {
            modes.Add("all");
        }

        var line = new CommandLine(modes, smoke && !args.Contains("--runs") ? 1 : runs, seconds, idleConnections, smoke, serve, redis);
        line.Targets.UnionWith(targets);
        line.Transports.UnionWith(transports);
        line.Connections.AddRange(connections);
        line.Payloads.AddRange(payloads);
        return line;
    }
}
