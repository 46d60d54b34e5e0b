using System.Globalization;
using System.Text.Json;

namespace Tether.Benchmarks.Load.Reporting;

/// <summary>
/// Runs scenarios run by run (every target in each run), prints one JSON line per measurement, and a summary table
/// with in-run ratios: each target against raw WebSockets and against ASP.NET Core SignalR on the same case and
/// transport, and Tether.Client against the official classic client.
/// </summary>
internal static class Reporter
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static async Task<IReadOnlyList<Result>> RunAsync(IReadOnlyList<Scenario> scenarios, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        var samples = scenarios.ToDictionary(s => s, _ => new List<IReadOnlyDictionary<string, double>>());
        var failures = scenarios.ToDictionary(s => s, _ => new List<string>());
        for (int run = 0; run < runs; run++)
        {
            foreach (var scenario in scenarios)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string label = $"run {run + 1}/{runs} {scenario.Mode} {scenario.Setup} {scenario.Target}/{scenario.Transport}";
                IReadOnlyDictionary<string, double> metrics;
                try
                {
                    metrics = await scenario.RunOnceAsync(cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // One measurement that fails (a client that cannot connect, a process out of a resource) is
                    // reported as failed and the run goes on: its metrics are missing, the others are kept.
                    Console.Error.WriteLine($"{label}: failed: {ex.GetType().Name}: {ex.Message}");
                    failures[scenario].Add($"{ex.GetType().Name}: {ex.Message}");
                    metrics = new Dictionary<string, double>();
                }

                samples[scenario].Add(metrics);
                if (metrics.TryGetValue(scenario.Primary, out double primary))
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {scenario.Primary} {primary:F1}"));
                }
            }
        }

        var results = scenarios.Select(s => new Result(s, samples[s], failures[s])).ToList();
        foreach (var result in results)
        {
            output.WriteLine(JsonSerializer.Serialize(result.ToLine(results), Json));
        }

        return results;
    }

    public static void PrintTable(IReadOnlyList<Result> results, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{"mode",-9} {"setup",-26} {"target",-11} {"transport",-16} {"primary",-22} {"median",12} {"min–max",23} {"cpu µs/msg",10} {"srv B/msg",10} {"cli B/msg",10}  ratios (median of in-run, min–max)");
        foreach (var result in results)
        {
            var s = result.Scenario;
            var primary = result.Metric(s.Primary);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Mode,-9} {s.Setup,-26} {s.Target,-11} {s.Transport,-16} {s.Primary,-22} {primary.Median,12:F1} {$"{primary.Min:F1}–{primary.Max:F1}",23} {result.Metric(Scenario.ServerCpuPerMessage).Median,10:F1} {result.Metric(Scenario.ServerAllocatedPerMessage).Median,10:F0} {result.Metric(Scenario.ClientAllocatedPerMessage).Median,10:F0}  {FormatRatios(result.Ratios(results))}"));
        }
    }

    private static string FormatRatios(IReadOnlyDictionary<string, Stat> ratios) =>
        string.Join("  ", ratios.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value.Median:F2}× ({r.Value.Min:F2}–{r.Value.Max:F2})")));

    /// <summary>The runs of one scenario.</summary>
    internal sealed class Result(Scenario scenario, IReadOnlyList<IReadOnlyDictionary<string, double>> runs, IReadOnlyList<string> failures)
    {
        public Scenario Scenario { get; } = scenario;

        public IReadOnlyList<IReadOnlyDictionary<string, double>> Runs { get; } = runs;

        public Stat Metric(string name) => Stat.Of(Runs.Select(r => r.TryGetValue(name, out double v) ? v : double.NaN));

        /// <summary>This target's primary metric over each baseline's, run by run (so "better" is above 1 either way).</summary>
        public IReadOnlyDictionary<string, Stat> Ratios(IReadOnlyList<Result> all)
        {
            var ratios = new Dictionary<string, Stat>();
            AddRatio(ratios, "vs raw", all.FirstOrDefault(r => r.Scenario.CaseKey == Scenario.CaseKey && r.Scenario.Target == Clients.Target.Raw));
            AddRatio(ratios, "vs aspnetcore", all.FirstOrDefault(r => r.Scenario.CaseKey == Scenario.CaseKey && r.Scenario.Transport == Scenario.Transport && r.Scenario.Target == Clients.Target.AspNetCore));
            if (Scenario.Target == Clients.Target.Tether)
            {
                AddRatio(ratios, "vs classic client", all.FirstOrDefault(r => r.Scenario.CaseKey == Scenario.CaseKey && r.Scenario.Transport == Scenario.Transport && r.Scenario.Target == Clients.Target.Classic));
            }

            if (Scenario.BaselineSetup is { } setup)
            {
                AddRatio(ratios, "vs " + setup, all.FirstOrDefault(r => r.Scenario.Mode == Scenario.Mode && r.Scenario.Setup == setup && r.Scenario.Target == Scenario.Target && r.Scenario.Transport == Scenario.Transport));
            }

            return ratios;
        }

        public object ToLine(IReadOnlyList<Result> all) => new
        {
            mode = Scenario.Mode,
            target = Scenario.Target,
            transport = Scenario.Transport,
            setup = Scenario.Setup,
            runs = Runs.Count,
            primary = Scenario.Primary,
            metrics = Runs.SelectMany(r => r.Keys).Distinct().ToDictionary(k => k, k => ToJson(Metric(k))),
            ratios = Ratios(all).ToDictionary(r => r.Key, r => ToJson(r.Value)),
            failures,
        };

        private static object ToJson(Stat stat) => new { median = Finite(stat.Median), min = Finite(stat.Min), max = Finite(stat.Max) };

        private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 3) : null;

        private void AddRatio(Dictionary<string, Stat> ratios, string name, Result? baseline)
        {
            if (baseline is null || ReferenceEquals(baseline, this))
            {
                return;
            }

            var perRun = Runs.Zip(baseline.Runs, (mine, theirs) =>
            {
                double a = mine.TryGetValue(Scenario.Primary, out double x) ? x : double.NaN;
                double b = theirs.TryGetValue(Scenario.Primary, out double y) ? y : double.NaN;
                return Scenario.HigherIsBetter ? a / b : b / a;
            });
            ratios[name] = Stat.Of(perRun);
        }
    }
}
