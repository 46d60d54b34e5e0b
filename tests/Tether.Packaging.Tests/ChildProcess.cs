using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Xunit.Abstractions;

namespace Tether.Packaging.Tests;

/// <summary>
/// A program the tests start (dotnet, an installed tool, a sample). Its stdout lines flow through a channel, so a test
/// awaits the line it needs with a timeout instead of sleeping; disposing kills what is still running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentQueue<string> _transcript = new();

    private ChildProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>The path of the dotnet host that runs these tests.</summary>
    public static string DotnetHost { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Starts <paramref name="fileName"/> in <paramref name="workingDirectory"/> with the given environment additions.</summary>
    public static ChildProcess Start(ITestOutputHelper output, string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (string arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment.Remove("ASPNETCORE_URLS");
        startInfo.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, output);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._stdout.Writer.TryComplete();
                return;
            }

            child._transcript.Enqueue(e.Data);
            child._stdout.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child._transcript.Enqueue("stderr: " + e.Data);
            }
        };

        output.WriteLine($"> {fileName} {string.Join(' ', args)}");
        Assert.True(process.Start(), $"{fileName} did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs dotnet with <paramref name="args"/> to the end and fails the test unless it exits 0.</summary>
    public static async Task RunDotnetAsync(ITestOutputHelper output, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        await using var dotnet = Start(output, DotnetHost, args, workingDirectory, environment);
        int exitCode = await dotnet.WaitForExitAsync(timeout);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', args)} exited {exitCode}.\n{dotnet.Transcript()}");
    }

    /// <summary>Completes with the first stdout line still to be read that matches.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match) =>
        await _stdout.Reader.ReadAllAsync().FirstOrDefaultAsync(match)
            ?? throw new InvalidOperationException($"The process closed its output without the expected line.\n{Transcript()}");

    /// <summary>
    /// The base address a server printed after <paramref name="marker"/>: <c>Listening on </c> for <c>tether serve</c>
    /// and the packaging tests' own app, <c>Now listening on: </c> for ASP.NET Core's log.
    /// </summary>
    public async Task<Uri> WaitForAddressAsync(string marker = "Listening on ")
    {
        string line = await WaitForLineAsync(l => l.Contains(marker, StringComparison.Ordinal)).DefaultTimeout();
        string address = line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim();
        return new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>Writes a line to standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes standard input (the end of a pipe).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the process to exit and its output to end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await _process.WaitForExitAsync().DefaultTimeout(timeout);
        while (await _stdout.Reader.WaitToReadAsync().AsTask().DefaultTimeout())
        {
            while (_stdout.Reader.TryRead(out _))
            {
            }
        }

        return _process.ExitCode;
    }

    /// <summary>Everything the process printed, stdout and stderr interleaved, for assertion messages.</summary>
    public string Transcript() => string.Join('\n', _transcript);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().DefaultTimeout();
        }

        _output.WriteLine(Transcript());
        _process.Dispose();
    }
}
