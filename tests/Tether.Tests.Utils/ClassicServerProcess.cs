using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tether.Tests.Utils;

/// <summary>Options of the classic server, as its command line takes them (null leaves SignalR's default).</summary>
public sealed record ClassicServerOptions
{
    /// <summary>SignalR's KeepAlive; <see cref="TimeSpan.Zero"/> disables keep-alives (default: a third of DisconnectTimeout).</summary>
    public TimeSpan? KeepAlive { get; init; }

    /// <summary>SignalR's DisconnectTimeout (default 30 s, at least 6 s).</summary>
    public TimeSpan? DisconnectTimeout { get; init; }

    /// <summary>SignalR's ConnectionTimeout (default 110 s).</summary>
    public TimeSpan? ConnectionTimeout { get; init; }
}

/// <summary>
/// The official classic server (Microsoft.AspNet.SignalR.Core 2.4.1, tests/testassets/ClassicServer) running under
/// Mono in a child process on 127.0.0.1 and a free port, with the same endpoints as <see cref="TestServer"/>:
/// <c>/echo</c>, <c>/broadcast</c>, <c>/groups</c>, <c>/events</c> (and the hub "chat" at <c>/signalr</c>).
/// A test project gets the server next to its assembly by importing tests/testassets/ClassicServer/ClassicServer.targets;
/// Mono comes from Debian (test.sh installs it). Disposing kills the process; the server also exits by itself when
/// its standard input closes, so it never outlives a crashed test host.
/// </summary>
public sealed class ClassicServerProcess : IAsyncDisposable
{
    /// <summary>Where the imported targets put the server, relative to the test assembly.</summary>
    public const string DirectoryName = "ClassicServer";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly object _outputLock = new();
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string>? _log;
    private int _disposed;

    private ClassicServerProcess(Process process, Action<string>? log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The server-side events of <c>/events</c> (Connected, Reconnected, Received, Disconnected), awaitable.</summary>
    public ConnectionEventLog Events { get; } = new();

    /// <summary>Everything the server printed so far (standard output and error), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The path of ClassicServer.exe next to the running test assembly.</summary>
    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, DirectoryName, "ClassicServer.exe");

    /// <summary>The mono executable on PATH, or null when Mono is not installed.</summary>
    public static string? MonoPath =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "mono"))
            .FirstOrDefault(File.Exists);

    /// <summary>An absolute URL on this server, e.g. <c>Url("/echo")</c>.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    /// <summary>Starts a classic server and completes once it listens.</summary>
    /// <param name="options">SignalR timeouts; null for SignalR's defaults.</param>
    /// <param name="log">Receives each line the server prints (e.g. a test's output helper), as it prints it.</param>
    public static async Task<ClassicServerProcess> StartAsync(ClassicServerOptions? options = null, Action<string>? log = null)
    {
        string mono = MonoPath ?? throw new InvalidOperationException(
            "Mono is not installed (the classic server runs on Debian's Mono): apt-get install mono-runtime " +
            "libmono-system-runtime-serialization4.0-cil libmono-system-xml-linq4.0-cil libmono-system-data4.0-cil " +
            "libmono-microsoft-csharp4.0-cil, as test.sh does.");
        string exe = ExecutablePath;
        if (!File.Exists(exe))
        {
            throw new InvalidOperationException(
                $"{exe} is missing: import tests/testassets/ClassicServer/ClassicServer.targets into the test project.");
        }

        var start = new ProcessStartInfo(mono)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(exe)!,
        };
        start.ArgumentList.Add("--debug"); // line numbers in the server's stack traces
        start.ArgumentList.Add(exe);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--exit-on-stdin-eof");
        AddSeconds(start, "--keep-alive", options?.KeepAlive);
        AddSeconds(start, "--disconnect-timeout", options?.DisconnectTimeout);
        AddSeconds(start, "--connection-timeout", options?.ConnectionTimeout);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ClassicServerProcess(process, log);
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => server.OnOutput(e.Data, isError: true);
        process.Exited += (_, _) => server.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            server.BaseUri = await server._listening.Task.WaitAsync(StartTimeout);
            return server;
        }
        catch (Exception e)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"The classic server did not start: {e.Message}{Environment.NewLine}{server.Output}", e);
        }
    }

    /// <summary>Completes when the server process has exited (it never does by itself unless it fails).</summary>
    public Task Exited => _exited.Task;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Not started, already gone, or stuck: nothing more a test can do.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void AddSeconds(ProcessStartInfo start, string option, TimeSpan? value)
    {
        if (value is { } span)
        {
            start.ArgumentList.Add(option);
            start.ArgumentList.Add(span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        }
    }

    private void OnOutput(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.Append(isError ? "[stderr] " : string.Empty).AppendLine(line);
        }

        try
        {
            _log?.Invoke("[classic server] " + line);
        }
        catch (InvalidOperationException)
        {
            // The test whose output this was has ended.
        }

        if (isError)
        {
            return;
        }

        if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            _listening.TrySetResult(new Uri(line["LISTENING ".Length..].Trim()));
        }
        else if (line.StartsWith("EVENT ", StringComparison.Ordinal) && ParseEvent(line["EVENT ".Length..]) is { } e)
        {
            Events.Add(e);
        }
    }

    private void OnExited()
    {
        _listening.TrySetException(new InvalidOperationException("The classic server exited before it listened."));
        _exited.TrySetResult();
    }

    /// <summary>
    /// Parses what the server's EventsConnection prints: <c>Connected ID</c>, <c>Reconnected ID</c>,
    /// <c>Received ID "json string"</c>, <c>Disconnected ID stopCalled=True|False</c>.
    /// </summary>
    internal static ConnectionEvent? ParseEvent(string text)
    {
        string[] parts = text.Split(' ', 3);
        if (parts.Length < 2)
        {
            return null;
        }

        string id = parts[1];
        return parts[0] switch
        {
            "Connected" => new ConnectionEvent(ConnectionEventKind.Connected, id),
            "Reconnected" => new ConnectionEvent(ConnectionEventKind.Reconnected, id),
            "Received" when parts.Length == 3 => new ConnectionEvent(ConnectionEventKind.Received, id, JsonSerializer.Deserialize<string>(parts[2])),
            "Disconnected" when parts.Length == 3 => new ConnectionEvent(ConnectionEventKind.Disconnected, id, StopCalled: parts[2] == "stopCalled=True"),
            _ => null,
        };
    }
}
