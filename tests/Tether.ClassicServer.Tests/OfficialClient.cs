using System.Diagnostics;
using Microsoft.AspNet.SignalR.Client;
using Microsoft.AspNet.SignalR.Client.Http;
using Microsoft.AspNet.SignalR.Client.Transports;

namespace Tether.ClassicServer.Tests;

/// <summary>The official client's transports, by the names the classic protocol gives them.</summary>
public static class Transports
{
    public const string WebSockets = "webSockets";
    public const string ServerSentEvents = "serverSentEvents";
    public const string LongPolling = "longPolling";

    /// <summary>The three transports the classic server offers.</summary>
    public static TheoryData<string> All => new() { WebSockets, ServerSentEvents, LongPolling };

    public static IClientTransport Create(string name) => name switch
    {
        WebSockets => new WebSocketTransport(),
        ServerSentEvents => new ServerSentEventsTransport(),
        LongPolling => new LongPollingTransport(),
        "auto" => new AutoTransport(new DefaultHttpClient()),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown transport."),
    };
}

/// <summary>
/// An official <see cref="Connection"/> (Microsoft.AspNet.SignalR.Client 2.4.2) that records the messages it receives
/// and its state changes and errors, so tests await them instead of sleeping.
/// </summary>
public sealed class OfficialClient : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly List<string> _messages = [];
    private readonly List<string> _events = [];
    private readonly List<(Func<bool> Done, TaskCompletionSource Tcs)> _waiters = [];
    private bool _disposed;

    private OfficialClient(string url)
    {
        Connection = new Connection(url);
        Connection.Received += data => Record(() => _messages.Add(data));
        Connection.StateChanged += change => Record(() => _events.Add($"{change.OldState}->{change.NewState}"));
        Connection.Error += error => Record(() => _events.Add($"Error {error.GetType().Name}: {error.Message}"));
        Connection.Reconnecting += () => Record(() => _events.Add("Reconnecting"));
        Connection.Closed += () => Record(() => _events.Add("Closed"));
    }

    public Connection Connection { get; }

    public string ConnectionId => Connection.ConnectionId;

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToArray();
            }
        }
    }

    /// <summary>State changes ("Connecting->Connected"), errors, "Reconnecting" and "Closed", in order.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.ToArray();
            }
        }
    }

    public static async Task<OfficialClient> StartAsync(string url, string transport)
    {
        var client = new OfficialClient(url);
        try
        {
            await client.Connection.Start(Transports.Create(transport)).DefaultTimeout();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public Task Send(string data) => Connection.Send(data);

    public Task WaitForMessages(int count) => WaitUntil(() => _messages.Count >= count);

    public Task WaitForMessage(string text) => WaitUntil(() => _messages.Contains(text));

    /// <summary>The official, synchronous <c>Stop()</c> on the thread pool; returns how long it took.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        var watch = Stopwatch.StartNew();
        await Task.Run(() => Connection.Stop()).DefaultTimeout();
        return watch.Elapsed;
    }

    /// <summary>Fails if the client reconnected or raised an error: the host must be invisible to a healthy session.</summary>
    public void AssertNoTrouble() =>
        Assert.DoesNotContain(Events, e => e.StartsWith("Error", StringComparison.Ordinal) || e == "Reconnecting");

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // Stop and Dispose block; bound them so a misbehaving server cannot hold a test for 30 s per client.
            await Task.Run(() =>
            {
                Connection.Stop(TimeSpan.FromSeconds(5));
                Connection.Dispose();
            }).WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception)
        {
            // Cleanup only: the test has its verdict already.
        }
    }

    private void Record(Action change)
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            change();
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Done())
                {
                    done.Add(_waiters[i].Tcs);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in done)
        {
            tcs.TrySetResult();
        }
    }

    private Task WaitUntil(Func<bool> done)
    {
        lock (_lock)
        {
            if (done())
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, tcs));
            return tcs.Task;
        }
    }
}
