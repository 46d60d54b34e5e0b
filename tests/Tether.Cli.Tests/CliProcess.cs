using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>
/// The real <c>tether</c> command in a child process (<c>dotnet exec tether.dll ...</c>). Its stdout lines flow through a
/// channel so tests await the line they need, with a timeout, instead of sleeping.
/// </summary>
internal sealed partial class CliProcess : IAsyncDisposable
{
    private const int SIGINT = 2;
    private const int SIGTERM = 15;

    private readonly Process _process;
    private readonly ITestOutputHelper? _output;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly List<string> _seen = [];
    private readonly ConcurrentQueue<string> _stderr = new();

    private CliProcess(Process process, ITestOutputHelper? output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>The stdout lines read so far by <see cref="WaitForLineAsync"/> or <see cref="WaitForExitAsync"/>.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_seen)
            {
                return _seen.ToArray();
            }
        }
    }

    /// <summary>Everything the process wrote to stderr so far.</summary>
    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Starts <c>tether</c> with the given arguments.</summary>
    public static CliProcess Start(ITestOutputHelper? output, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "tether.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project must reference src/Tether.Cli.");

        // Started through env(1) with SIGINT back at its default: a shell runs background jobs (as test.sh runs test
        // projects) with SIGINT ignored, children inherit that, and .NET then never sees Ctrl+C. A terminal user's
        // tether starts with the default, so the tests do too.
        var startInfo = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        startInfo.ArgumentList.Add("--default-signal=INT");
        startInfo.ArgumentList.Add(DotnetHost());
        startInfo.ArgumentList.Add("exec");
        startInfo.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // Only the command line decides where the server listens.
        startInfo.Environment.Remove("ASPNETCORE_URLS");
        startInfo.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        startInfo.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var cli = new CliProcess(process, output);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                cli._stdout.Writer.TryComplete();
            }
            else
            {
                cli._stdout.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                cli._stderr.Enqueue(e.Data);
            }
        };

        Assert.True(process.Start(), "dotnet did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Completes with the first stdout line (already printed or to come) that matches.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_seen)
        {
            string? existing = _seen.FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }
        }

        while (await _stdout.Reader.WaitToReadAsync())
        {
            while (_stdout.Reader.TryRead(out string? line))
            {
                lock (_seen)
                {
                    _seen.Add(line);
                }

                if (match(line))
                {
                    return line;
                }
            }
        }

        throw new InvalidOperationException($"tether closed its output without printing the expected line.\n{Transcript()}");
    }

    /// <summary>Waits for <c>Listening on http://...</c> and returns that address.</summary>
    public async Task<Uri> WaitForListeningAsync()
    {
        const string prefix = "Listening on ";
        string line = await WaitForLineAsync(l => l.StartsWith(prefix, StringComparison.Ordinal)).DefaultTimeout();
        return new Uri(line[prefix.Length..].Trim().TrimEnd('/') + "/");
    }

    /// <summary>Writes a line to the process's standard input, as typed in a terminal or piped.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes the process's standard input: the end of input (Ctrl+D in a terminal, the end of a pipe).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt() => Assert.Equal(0, Kill(_process.Id, SIGINT));

    /// <summary>Sends SIGTERM, as <c>kill</c>, systemd or a container runtime do.</summary>
    public void Terminate() => Assert.Equal(0, Kill(_process.Id, SIGTERM));

    /// <summary>Waits for the process to exit and for its output to be read to the end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().DefaultTimeout();
        while (await _stdout.Reader.WaitToReadAsync().AsTask().DefaultTimeout())
        {
            while (_stdout.Reader.TryRead(out string? line))
            {
                lock (_seen)
                {
                    _seen.Add(line);
                }
            }
        }

        return _process.ExitCode;
    }

    /// <summary>All output so far, for assertion messages.</summary>
    public string Transcript() => $"stdout:\n{string.Join('\n', StdoutLines)}\nstderr:\n{Stderr}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().DefaultTimeout();
        }

        // Lines no test waited for still belong in the transcript.
        while (_stdout.Reader.TryRead(out string? line))
        {
            lock (_seen)
            {
                _seen.Add(line);
            }
        }

        _output?.WriteLine(Transcript());
        _process.Dispose();
    }

    private static string DotnetHost()
    {
        // Set by the dotnet CLI for the processes it starts (the test host included); else the dotnet on PATH.
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
