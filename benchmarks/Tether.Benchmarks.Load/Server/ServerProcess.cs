using System.Diagnostics;
using System.Net.Http.Json;

namespace Tether.Benchmarks.Load.Server;

/// <summary>A <see cref="BenchServer"/> in a child process (this same program with <c>--serve</c>).</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>An absolute URL on this server.</summary>
    public string Url(string path) => new Uri(BaseUri, path).ToString();

    /// <summary>Starts a server, joined to the Redis at <paramref name="redis"/> when given.</summary>
    public static async Task<ServerProcess> StartAsync(string? redis)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (self.EndsWith("dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        }

        start.ArgumentList.Add("--serve");
        if (redis is not null)
        {
            start.ArgumentList.Add("--redis");
            start.ArgumentList.Add(redis);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(BenchServer.ListeningPrefix, StringComparison.Ordinal))
            {
                return new ServerProcess(process, new Uri(line[BenchServer.ListeningPrefix.Length..].TrimEnd('/') + "/"));
            }
        }

        throw new InvalidOperationException("The server process ended before it listened.");
    }

    /// <summary>Samples the server's counters.</summary>
    public async Task<ServerStats> StatsAsync(bool collect = false) =>
        (await Http.GetFromJsonAsync<ServerStats>(Url($"stats?collect={(collect ? "true" : "false")}")))!;

    /// <summary>
    /// Has the server broadcast <paramref name="count"/> messages of <paramref name="size"/> characters to a target's
    /// clients, from <paramref name="senders"/> concurrent senders.
    /// </summary>
    public async Task BroadcastAsync(string target, int count, int size, int senders = 1)
    {
        using var response = await Http.PostAsync(Url($"broadcast/{target}?count={count}&size={size}&senders={senders}"), null);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
