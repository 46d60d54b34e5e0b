using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>The outputs: one JSON line per attack, the final table, and RESULTS.md.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Machine() => string.Create(
        CultureInfo.InvariantCulture,
        $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, {Units.Megabytes(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} available, " +
        $".NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");

    public static void PrintLine(AttackResult result) => Console.WriteLine(JsonSerializer.Serialize(result, s_json));

    /// <summary>What each attack cost the code before the hardening, as issue 7 measured it (by the attack's number).</summary>
    private static readonly Dictionary<string, string> s_before = new()
    {
        ["1"] = "100 MB response, +104 MB",
        ["2"] = "+288 MB until they closed",
        ["3"] = "RSS +459 MB; 646 MB 2.5 min later",
        ["3b"] = "RSS 646 MB 2.5 min later",
        ["4"] = "quote broke the JSON",
        ["5"] = "OnDisconnected on the wrong type",
        ["6a"] = "OnConnected raised again",
        ["6b"] = "handler ran 2,000 times",
        ["7a"] = "200 and a truncated body",
        ["7b"] = "read up to 30 MB, then 413",
        ["8a"] = "20 messages took 42 MB of Redis",
        ["8b"] = "500 on negotiate, send, abort",
    };

    public static string Table(IReadOnlyList<AttackResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| attack | before (issue 7) | sent B | response B | heap growth | WS growth | bus buffered B | events echo/broadcast (conn/disc) | statuses | s | errors logged |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Attack} | {s_before.GetValueOrDefault(r.Attack.Split(' ')[0], string.Empty)} | {Row(r)} |");
        }

        return text.ToString();
    }

    private static string Row(AttackResult r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Units.Bytes(r.SentBytes)} | {Units.Bytes(r.ResponseBytes)} | {Units.SignedMegabytes(r.HeapGrowthBytes)} | {Units.SignedMegabytes(r.WorkingSetGrowthBytes)} | " +
        $"{(r.BusBufferedBytes is { } b ? Units.Bytes(b) : "n/a")} | {r.Events} | {r.Statuses} | {r.Seconds:F2} | {r.ErrorsLogged}");

    public static string Details(IReadOnlyList<AttackResult> results)
    {
        var text = new StringBuilder();
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{r.Attack}**: {r.Detail}.");
        }

        return text.ToString();
    }

    /// <summary>Writes RESULTS.md next to the project, found from the repository root above the working directory or the binary.</summary>
    public static string? WriteMarkdown(IReadOnlyList<AttackResult> results, TimeSpan total)
    {
        string? root = FindRoot(Environment.CurrentDirectory) ?? FindRoot(AppContext.BaseDirectory);
        if (root is null)
        {
            return null;
        }

        string path = Path.Combine(root, "benchmarks", "Tether.Benchmarks.Attacks", "RESULTS.md");
        var text = new StringBuilder();
        text.AppendLine("# Attack costs, measured");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {Commit(root)}, on {Machine()}; whole run {total.TotalSeconds:F0} s.");
        text.AppendLine("Produced by `dotnet run -c Release --project benchmarks/Tether.Benchmarks.Attacks`; each attack runs against a fresh");
        text.AppendLine("in-process server with the default options (unless its detail says otherwise) on 127.0.0.1. Memory is the growth");
        text.AppendLine("over a baseline taken after the server started: the managed heap after a forced, compacting, aggressive full GC, and the process");
        text.AppendLine("working set (client and server share the process; the attacker keeps no bodies). Sent bytes count request targets and");
        text.AppendLine("bodies (hand-written requests: every byte); response bytes count bodies (hand-written requests: every byte read).");
        text.AppendLine("\"bus buffered B\" is the in-process bus's own count of the bytes its topics hold (read by reflection).");
        text.AppendLine("Attacks 1 and 3 run twice and 8a three times, and show the last pass: the first large bodies of the process fill process-wide pools");
        text.AppendLine("(ArrayPool.Shared's per-thread caches, StackExchange.Redis's buffers) that every later server reuses; the first pass's");
        text.AppendLine("growth is in the detail.");
        text.AppendLine();
        text.Append(Table(results));
        text.AppendLine();
        text.Append(Details(results));
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tether.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static string Commit(string root)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", root, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true })!;
            string commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return commit.Length == 0 ? "unknown" : commit;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
