using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Tether.Redis.Tests;

/// <summary>
/// <c>tether serve</c> in a child process (<c>dotnet exec tether.dll serve ...</c>), its stdout read line by line so
/// tests await "Listening on" instead of sleeping.
/// </summary>
public sealed class TetherProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _transcript = new();

    private TetherProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Where the server listens, once <see cref="StartAsync"/> returned.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Everything it printed so far.</summary>
    public string Transcript
    {
        get
        {
            lock (_transcript)
            {
                return _transcript.ToString();
            }
        }
    }

    /// <summary>An absolute URL on this server.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    /// <summary>Starts <c>tether serve --urls http://127.0.0.1:0</c> with the given extra arguments and waits until it listens.</summary>
    public static async Task<TetherProcess> StartAsync(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "tether.dll");
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string arg in new[] { "exec", dll, "serve", "--urls", "http://127.0.0.1:0" }.Concat(args))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment.Remove("ASPNETCORE_URLS");
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = startInfo };
        var tether = new TetherProcess(process);
        process.OutputDataReceived += (_, e) => tether.Line(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (tether._transcript)
                {
                    tether._transcript.AppendLine("stderr: " + e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        const string prefix = "Listening on ";
        string listening = await tether.WaitForLine(l => l.StartsWith(prefix, StringComparison.Ordinal)).DefaultTimeout();
        tether.BaseUri = new Uri(listening[prefix.Length..].Trim().TrimEnd('/') + "/");
        return tether;
    }

    /// <summary>Completes with the next stdout line that matches.</summary>
    public async Task<string> WaitForLine(Func<string, bool> match)
    {
        while (await _stdout.Reader.WaitToReadAsync())
        {
            while (_stdout.Reader.TryRead(out string? line))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }

        throw new InvalidOperationException($"tether exited without printing the expected line:\n{Transcript}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().DefaultTimeout();
        }

        _process.Dispose();
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            _stdout.Writer.TryComplete();
            return;
        }

        lock (_transcript)
        {
            _transcript.AppendLine(line);
        }

        _stdout.Writer.TryWrite(line);
    }
}
