using System.Diagnostics;
using System.Text;
using Microsoft.AspNet.SignalR.Client;
using Microsoft.AspNet.SignalR.Client.Http;
using Microsoft.AspNet.SignalR.Client.Transports;
using Xunit.Abstractions;

namespace Tether.Redis.Tests;

// A copy of tests/Tether.Interop.Tests/OfficialClient.cs: the test projects share only Tether.Tests.Utils, which does
// not reference the official client.

/// <summary>The official client's transports, by the names the tests use.</summary>
public static class Transports
{
    public const string WebSockets = "webSockets";
    public const string ServerSentEvents = "serverSentEvents";
    public const string LongPolling = "longPolling";

    /// <summary>The official <c>AutoTransport</c>: webSockets, then serverSentEvents, then longPolling.</summary>
    public const string Auto = "auto";

    /// <summary>Every transport of the official client, <see cref="Auto"/> included.</summary>
    public static TheoryData<string> All => new() { WebSockets, ServerSentEvents, LongPolling, Auto };

    /// <summary>
    /// The transports whose keep-alives the official client monitors (<c>SupportsKeepAlive</c>). Long polling has no
    /// keep-alive monitoring in the official client, so it never raises ConnectionSlow nor reconnects on silence.
    /// </summary>
    public static TheoryData<string> WithKeepAliveMonitoring => new() { WebSockets, ServerSentEvents };

    /// <summary>A new instance of the official client's transport.</summary>
    public static IClientTransport Create(string name) => name switch
    {
        WebSockets => new WebSocketTransport(),
        ServerSentEvents => new ServerSentEventsTransport(),
        LongPolling => new LongPollingTransport(),
        Auto => new AutoTransport(new DefaultHttpClient()),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown transport."),
    };

    /// <summary>The transport name the client reports once started: Auto must pick webSockets against Tether.</summary>
    public static string ExpectedName(string name) => name == Auto ? WebSockets : name;
}

/// <summary>What the official client raised.</summary>
public enum ClientEventKind
{
    StateChanged,
    Reconnecting,
    Reconnected,
    ConnectionSlow,
    Error,
    Closed,
}

/// <summary>One event of the official client, with the time since the client was created.</summary>
public sealed record ClientEvent(int Index, ClientEventKind Kind, string? Detail, TimeSpan At)
{
    public override string ToString() => $"#{Index} {At.TotalMilliseconds,8:F1} ms {Kind} {Detail}";
}

/// <summary>
/// An official <see cref="Connection"/> (Microsoft.AspNet.SignalR.Client 2.4.2) that records what it receives and every
/// event it raises, so tests can await them without sleeping. Set <c>TETHER_INTEROP_TRACE=1</c> to get the client's own
/// trace in the test output.
/// </summary>
public sealed class OfficialClient : IAsyncDisposable
{
    private static readonly bool Trace = Environment.GetEnvironmentVariable("TETHER_INTEROP_TRACE") == "1";

    private readonly object _lock = new();
    private readonly List<string> _messages = [];
    private readonly List<ClientEvent> _events = [];
    private readonly List<(Func<bool> Done, TaskCompletionSource Tcs)> _waiters = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _disposed;

    private OfficialClient(string url, string transport, ITestOutputHelper? output)
    {
        RequestedTransport = transport;
        Connection = new Connection(url);
        if (Trace && output is not null)
        {
            Connection.TraceLevel = TraceLevels.All;
            Connection.TraceWriter = new OutputWriter(output);
        }

        Connection.Received += data => Record(() => _messages.Add(data));
        Connection.StateChanged += change => Add(ClientEventKind.StateChanged, $"{change.OldState}->{change.NewState}");
        Connection.Reconnecting += () => Add(ClientEventKind.Reconnecting, null);
        Connection.Reconnected += () => Add(ClientEventKind.Reconnected, null);
        Connection.ConnectionSlow += () => Add(ClientEventKind.ConnectionSlow, null);
        Connection.Error += error => Add(ClientEventKind.Error, $"{error.GetType().Name}: {error.Message}");
        Connection.Closed += () => Add(ClientEventKind.Closed, null);
    }

    /// <summary>The official connection.</summary>
    public Connection Connection { get; }

    /// <summary>The transport name the test asked for.</summary>
    public string RequestedTransport { get; }

    /// <summary>How long <c>Start</c> took.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>The time since the client was created, on the clock of <see cref="ClientEvent.At"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>The connection id (null once stopped).</summary>
    public string ConnectionId => Connection.ConnectionId;

    /// <summary>The messages received, in order.</summary>
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

    /// <summary>The events raised, in order.</summary>
    public IReadOnlyList<ClientEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>The number of events raised so far; pass it to <see cref="WaitForEvent"/> to wait for a later one.</summary>
    public int EventCount
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>Creates an official client for <paramref name="url"/> and starts it over <paramref name="transport"/>.</summary>
    public static async Task<OfficialClient> StartAsync(string url, string transport, ITestOutputHelper? output = null)
    {
        var client = new OfficialClient(url, transport, output);
        try
        {
            var watch = Stopwatch.StartNew();
            await client.Connection.Start(Transports.Create(transport)).DefaultTimeout();
            client.StartDuration = watch.Elapsed;
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends data through the official client.</summary>
    public Task Send(string data) => Connection.Send(data);

    /// <summary>Completes when at least <paramref name="count"/> messages have arrived.</summary>
    public Task WaitForMessages(int count) => WaitUntil(() => _messages.Count >= count);

    /// <summary>Completes when a message equal to <paramref name="text"/> has arrived.</summary>
    public Task WaitForMessage(string text) => WaitUntil(() => _messages.Contains(text));

    /// <summary>Completes with the first event of <paramref name="kind"/> whose index is at least <paramref name="fromIndex"/>.</summary>
    public async Task<ClientEvent> WaitForEvent(ClientEventKind kind, int fromIndex = 0)
    {
        await WaitUntil(() => _events.Skip(fromIndex).Any(e => e.Kind == kind));
        lock (_lock)
        {
            return _events.Skip(fromIndex).First(e => e.Kind == kind);
        }
    }

    /// <summary>
    /// Calls the official, synchronous <c>Stop()</c> (default 30 s timeout) on the thread pool and returns how long it
    /// took; throws a <see cref="TimeoutException"/> if it takes longer than <paramref name="bound"/>.
    /// </summary>
    public async Task<TimeSpan> StopAsync(TimeSpan bound)
    {
        var watch = Stopwatch.StartNew();
        await Task.Run(() => Connection.Stop()).DefaultTimeout(bound);
        return watch.Elapsed;
    }

    /// <summary>Asserts that the connection ran smoothly: no error, no reconnect, no slow-connection warning.</summary>
    public void AssertNoTrouble()
    {
        var trouble = Events.Where(e => e.Kind is ClientEventKind.Error or ClientEventKind.Reconnecting or ClientEventKind.ConnectionSlow).ToArray();
        Assert.True(trouble.Length == 0, "The official client reported trouble:" + Environment.NewLine + DescribeEvents());
    }

    /// <summary>The events as text, for assertion messages.</summary>
    public string DescribeEvents() => string.Join(Environment.NewLine, Events);

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

    private void Add(ClientEventKind kind, string? detail) =>
        Record(() => _events.Add(new ClientEvent(_events.Count, kind, detail, _clock.Elapsed)));

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

    /// <summary>Forwards the official client's trace to the test output while the test runs.</summary>
    private sealed class OutputWriter(ITestOutputHelper output) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    Flush(_line.ToString().TrimEnd('\r'));
                    _line.Clear();
                }
                else
                {
                    _line.Append(value);
                }
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_line)
            {
                _line.Append(value);
                Flush(_line.ToString());
                _line.Clear();
            }
        }

        private static string Now() => DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);

        private void Flush(string line)
        {
            try
            {
                output.WriteLine($"[client {Now()}] {line}");
            }
            catch (InvalidOperationException)
            {
                // The test has ended; the client's background threads may still trace.
            }
        }
    }
}
