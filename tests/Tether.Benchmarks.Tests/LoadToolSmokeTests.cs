using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Tether.Tests.Utils;

namespace Tether.Benchmarks.Tests;

/// <summary>
/// The load tool's --smoke run: every mode and target at least once, tiny counts. It must finish and print one
/// well-formed JSON line per measurement; the numbers themselves are never judged.
/// </summary>
public class LoadToolSmokeTests
{
    private static readonly string[] Modes = ["echo", "latency", "broadcast", "idle", "scaleout"];
    private static readonly string[] Targets = ["tether", "classic", "aspnetcore", "raw"];

    [Fact]
    public async Task SmokeRunPrintsAJsonLinePerMeasurementForEveryModeAndTarget()
    {
        var (exitCode, output, error) = await RunLoadToolAsync("--smoke");

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
        foreach (var line in lines)
        {
            string primary = line.GetProperty("primary").GetString()!;
            Assert.True(line.GetProperty("failures").GetArrayLength() == 0, "A measurement failed: " + line);
            Assert.True(line.GetProperty("metrics").TryGetProperty(primary, out var metric), line.ToString());
            Assert.Equal(JsonValueKind.Number, metric.GetProperty("median").ValueKind);
        }

        Assert.All(Modes, mode => Assert.Contains(lines, l => l.GetProperty("mode").GetString() == mode));
        Assert.All(Targets, target => Assert.Contains(lines, l => l.GetProperty("target").GetString() == target));
        Assert.Contains("ratios", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownArgumentIsRefusedWithTheUsage()
    {
        var (exitCode, _, error) = await RunLoadToolAsync("--mode", "nonsense");

        Assert.Equal(2, exitCode);
        Assert.Contains("usage", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunLoadToolAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(LoadToolPath());
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().DefaultTimeout(TimeSpan.FromSeconds(270));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>The load tool's build output, recorded in this assembly at build time (the project reference builds it first).</summary>
    private static string LoadToolPath()
    {
        string path = typeof(LoadToolSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoadToolPath").Value!;
        Assert.True(File.Exists(path), $"The load tool is not built at {path}.");
        return path;
    }
}
