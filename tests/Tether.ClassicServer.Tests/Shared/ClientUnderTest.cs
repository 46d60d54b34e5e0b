// Shared by Tether.ClassicServer.Tests and Tether.Client.Tests (linked into the latter): one vocabulary for what a
// client observes, and one driver per client (Tether.Client, the official Microsoft.AspNet.SignalR.Client 2.4.2), so
// the same scenario runs unchanged against either client and either server.
using System.Diagnostics;
using Official = Microsoft.AspNet.SignalR.Client;
using OfficialHttp = Microsoft.AspNet.SignalR.Client.Http;
using OfficialTransports = Microsoft.AspNet.SignalR.Client.Transports;
using TetherClient = Tether.Client;
using TetherHttp = Tether.Client.Http;
using TetherTransports = Tether.Client.Transports;

namespace Tether.Shared;

/// <summary>
/// Everything one client raised, in order, as text both clients share: <c>state:Old-&gt;New</c>, <c>reconnecting</c>,
/// <c>reconnected</c>, <c>slow</c>, <c>closed</c>, <c>error:Type</c> and <c>received:TEXT</c>. Tests await it instead
/// of sleeping.
/// </summary>
public sealed class ClientLog
{
    private readonly object _lock = new();
    private readonly List<string> _events = [];
    private readonly List<string> _messages = [];
    private readonly List<(Func<ClientLog, bool> Done, TaskCompletionSource Tcs)> _waiters = [];

    /// <summary>Every event, in the order the client raised them.</summary>
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

    /// <summary>The received text, in order.</summary>
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

    /// <summary>The events without received messages and errors: states, reconnecting, reconnected, slow, closed.</summary>
    public IReadOnlyList<string> Lifecycle =>
        Events.Where(e => !e.StartsWith("received:", StringComparison.Ordinal) && !e.StartsWith("error:", StringComparison.Ordinal)).ToArray();

    /// <summary>The state changes only, e.g. <c>Connected-&gt;Reconnecting</c>.</summary>
    public IReadOnlyList<string> States =>
        Events.Where(e => e.StartsWith("state:", StringComparison.Ordinal)).Select(e => e["state:".Length..]).ToArray();

    /// <summary>The errors only, as <c>error:Type: message</c>.</summary>
    public IReadOnlyList<string> Errors => Events.Where(e => e.StartsWith("error:", StringComparison.Ordinal)).ToArray();

    public int Count(string ev) => Events.Count(e => e == ev);

    public int IndexOf(string ev) => Events.ToList().IndexOf(ev);

    public void Add(string ev, string? message = null)
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            _events.Add(ev);
            if (message != null)
            {
                _messages.Add(message);
            }

            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Done(this))
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

    /// <summary>Completes once the condition holds (checked now and after every event). Called under the log's lock.</summary>
    public Task Until(Func<ClientLog, bool> done)
    {
        lock (_lock)
        {
            if (done(this))
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, tcs));
            return tcs.Task;
        }
    }

    public Task UntilEvent(string ev) => Until(l => l._events.Contains(ev));

    /// <summary>Completes once <paramref name="ev"/> has been raised <paramref name="count"/> times.</summary>
    public Task UntilEventCount(string ev, int count) => Until(l => l._events.Count(e => e == ev) >= count);

    public Task UntilMessages(int count) => Until(l => l._messages.Count >= count);

    public Task UntilMessage(string message) => Until(l => l._messages.Contains(message));

    /// <summary>One line for test output: the events, messages shortened to their count.</summary>
    public string Describe()
    {
        var lines = new List<string>();
        int received = 0;
        foreach (string e in Events)
        {
            if (e.StartsWith("received:", StringComparison.Ordinal))
            {
                received++;
                continue;
            }

            if (received > 0)
            {
                lines.Add($"received x{received}");
                received = 0;
            }

            lines.Add(e);
        }

        if (received > 0)
        {
            lines.Add($"received x{received}");
        }

        return string.Join(", ", lines);
    }
}

/// <summary>One client connection (Tether.Client or the official client) behind the operations a scenario needs.</summary>
public abstract class ClientUnderTest : IAsyncDisposable
{
    public const string WebSockets = "webSockets";
    public const string ServerSentEvents = "serverSentEvents";
    public const string LongPolling = "longPolling";
    public const string Auto = "auto";

    /// <summary>The two clients, by the names tests print.</summary>
    public static readonly IReadOnlyList<string> Kinds = [TetherKind, OfficialKind];

    public const string TetherKind = "Tether.Client";
    public const string OfficialKind = "official 2.4.2";

    /// <summary>What the client raised.</summary>
    public ClientLog Log { get; } = new();

    /// <summary><see cref="TetherKind"/> or <see cref="OfficialKind"/>.</summary>
    public abstract string Kind { get; }

    /// <summary>The transport in use (for auto, the one picked), or null before the start.</summary>
    public abstract string? TransportName { get; }

    public abstract string? ConnectionId { get; }

    /// <summary>The state, by its name (both clients' enums have the same names).</summary>
    public abstract string State { get; }

    /// <summary>Creates a client of the given kind for an endpoint URL.</summary>
    public static ClientUnderTest Create(string kind, string url) => kind switch
    {
        TetherKind => new TetherUnderTest(url),
        OfficialKind => new OfficialUnderTest(url),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown client."),
    };

    /// <summary>Starts over a transport: <see cref="WebSockets"/>, <see cref="ServerSentEvents"/>, <see cref="LongPolling"/> or <see cref="Auto"/>, with the classic delays.</summary>
    public abstract Task StartAsync(string transport);

    public abstract Task SendAsync(string data);

    /// <summary>The classic, synchronous <c>Stop()</c>, on the thread pool; returns how long it took.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        var watch = Stopwatch.StartNew();
        await Task.Run(Stop).DefaultTimeout();
        return watch.Elapsed;
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Cleanup of an official connection (hub connections too): its Stop and Dispose block, so they run on the thread
    /// pool, bounded, so that a misbehaving server cannot hold a test for 30 s. Never throws: the test has its verdict.
    /// </summary>
    public static async Task StopAndDisposeAsync(Official.Connection connection)
    {
        try
        {
            await Task.Run(() =>
            {
                connection.Stop(TimeSpan.FromSeconds(5));
                connection.Dispose();
            }).WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception)
        {
            // Cleanup only.
        }
    }

    protected abstract void Stop();

    private sealed class TetherUnderTest : ClientUnderTest
    {
        private readonly TetherClient.Connection _connection;

        public TetherUnderTest(string url)
        {
            _connection = new TetherClient.Connection(url);
            _connection.Received += m => Log.Add("received:" + m, m);
            _connection.StateChanged += c => Log.Add($"state:{c.OldState}->{c.NewState}");
            _connection.Error += e => Log.Add($"error:{e.GetType().Name}: {e.Message}");
            _connection.Reconnecting += () => Log.Add("reconnecting");
            _connection.Reconnected += () => Log.Add("reconnected");
            _connection.ConnectionSlow += () => Log.Add("slow");
            _connection.Closed += () => Log.Add("closed");
        }

        public override string Kind => TetherKind;

        public override string? TransportName => _connection.Transport?.Name;

        public override string? ConnectionId => _connection.ConnectionId;

        public override string State => _connection.State.ToString();

        public override Task StartAsync(string transport) => _connection.Start(transport switch
        {
            WebSockets => new TetherTransports.WebSocketTransport(),
            ServerSentEvents => new TetherTransports.ServerSentEventsTransport(),
            LongPolling => new TetherTransports.LongPollingTransport(),
            Auto => new TetherTransports.AutoTransport(new TetherHttp.DefaultHttpClient()),
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "Unknown transport."),
        });

        public override Task SendAsync(string data) => _connection.Send(data);

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await _connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception)
            {
                // Cleanup only: the test has its verdict already.
            }
        }

        protected override void Stop() => _connection.Stop();
    }

    private sealed class OfficialUnderTest : ClientUnderTest
    {
        private readonly Official.Connection _connection;
        private bool _disposed;

        public OfficialUnderTest(string url)
        {
            _connection = new Official.Connection(url);
            _connection.Received += m => Log.Add("received:" + m, m);
            _connection.StateChanged += c => Log.Add($"state:{c.OldState}->{c.NewState}");
            _connection.Error += e => Log.Add($"error:{e.GetType().Name}: {e.Message}");
            _connection.Reconnecting += () => Log.Add("reconnecting");
            _connection.Reconnected += () => Log.Add("reconnected");
            _connection.ConnectionSlow += () => Log.Add("slow");
            _connection.Closed += () => Log.Add("closed");
        }

        public override string Kind => OfficialKind;

        public override string? TransportName => _connection.Transport?.Name;

        public override string? ConnectionId => _connection.ConnectionId;

        public override string State => _connection.State.ToString();

        public override Task StartAsync(string transport) => _connection.Start(transport switch
        {
            WebSockets => new OfficialTransports.WebSocketTransport(),
            ServerSentEvents => new OfficialTransports.ServerSentEventsTransport(),
            LongPolling => new OfficialTransports.LongPollingTransport(),
            Auto => new OfficialTransports.AutoTransport(new OfficialHttp.DefaultHttpClient()),
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "Unknown transport."),
        });

        public override Task SendAsync(string data) => _connection.Send(data);

        public override async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await StopAndDisposeAsync(_connection);
        }

        protected override void Stop() => _connection.Stop();
    }
}
