using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tether.Tests.Utils;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1 and a free port, without persistence (<c>--save "" --appendonly no</c>), for
/// the scale-out tests. It can be killed (SIGKILL, as a crash) and started again on the same port, with no data: what a
/// Redis restart without persistence looks like to its clients.
/// </summary>
/// <remarks>
/// Readiness is awaited on the server's own "Ready to accept connections" line, never by sleeping. The binary is
/// <c>/usr/bin/redis-server</c> (Debian's package, which test.sh installs when missing), or <c>redis-server</c> on PATH.
/// </remarks>
public sealed class RedisServerFixture : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly object _lock = new();
    private readonly StringBuilder _log = new();
    private Process? _process;

    private RedisServerFixture(int port)
    {
        Port = port;
    }

    /// <summary>The port the server listens on (kept across restarts).</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of the server, e.g. <c>127.0.0.1:41234</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The endpoint of the server.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _process is { HasExited: false };
            }
        }
    }

    /// <summary>What the server printed, for assertion messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a server on a free port and waits until it accepts connections.</summary>
    public static async Task<RedisServerFixture> StartAsync()
    {
        var fixture = new RedisServerFixture(FreePort());
        await fixture.RestartAsync();
        return fixture;
    }

    /// <summary>Kills the server at once (SIGKILL): clients see their connections reset, and every key is gone.</summary>
    public async Task KillAsync()
    {
        Process? process;
        lock (_lock)
        {
            process = _process;
            _process = null;
        }

        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync().WaitAsync(StartTimeout);
        process.Dispose();
    }

    /// <summary>Starts the server (again) on the same port, empty, and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startInfo = new ProcessStartInfo(Binary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "notice" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server exited before it was ready:\n{Log}"));
                return;
            }

            Append(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append(e.Data);
            }
        };

        if (!process.Start())
        {
            throw new InvalidOperationException("redis-server did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_lock)
        {
            _process = process;
        }

        try
        {
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"redis-server was not ready after {StartTimeout.TotalSeconds} s:\n{Log}");
        }
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private void Append(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static string Binary() => File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
