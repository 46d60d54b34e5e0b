// Shared by Tether.ClassicServer.Tests and Tether.Client.Tests (linked into the latter).
using Tether.Client;
using Tether.Client.Http;
using Tether.Client.Transports;

namespace Tether.Shared;

/// <summary>Tether.Client's transports, by protocol name.</summary>
public static class TetherTransport
{
    /// <summary>The three transports.</summary>
    public static TheoryData<string> Each => new() { ClientUnderTest.WebSockets, ClientUnderTest.ServerSentEvents, ClientUnderTest.LongPolling };

    /// <summary>The three transports and auto.</summary>
    public static TheoryData<string> AllAndAuto => new() { ClientUnderTest.WebSockets, ClientUnderTest.ServerSentEvents, ClientUnderTest.LongPolling, ClientUnderTest.Auto };

    /// <summary>The transports with keep-alive monitoring (long polling has none, as in the classic client).</summary>
    public static TheoryData<string> Streaming => new() { ClientUnderTest.WebSockets, ClientUnderTest.ServerSentEvents };

    /// <summary>A transport with the classic delays, or with short reconnect delays where the delay is not what a test checks.</summary>
    public static IClientTransport Create(string name, bool fast = false) => name switch
    {
        ClientUnderTest.WebSockets => new WebSocketTransport { ReconnectDelay = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2) },
        ClientUnderTest.ServerSentEvents => new ServerSentEventsTransport { ReconnectDelay = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2) },
        ClientUnderTest.LongPolling => new LongPollingTransport
        {
            ErrorDelay = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(2),
            ReconnectDelay = fast ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(5),
        },
        ClientUnderTest.Auto => new AutoTransport(new DefaultHttpClient()),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown transport."),
    };

    /// <summary>The transport auto must pick (both servers offer WebSockets).</summary>
    public static string Expected(string name) => name == ClientUnderTest.Auto ? ClientUnderTest.WebSockets : name;
}

/// <summary>A Tether.Client <see cref="Connection"/> with a <see cref="ClientLog"/> of everything it raises.</summary>
public sealed class TetherProbe : IAsyncDisposable
{
    private readonly List<Exception> _errors = [];

    public TetherProbe(string url)
    {
        Connection = new Connection(url);
        Connection.Received += m => Log.Add("received:" + m, m);
        Connection.StateChanged += c => Log.Add($"state:{c.OldState}->{c.NewState}");
        Connection.Error += e =>
        {
            lock (_errors)
            {
                _errors.Add(e);
            }

            Log.Add($"error:{e.GetType().Name}: {e.Message}");
        };
        Connection.Reconnecting += () => Log.Add("reconnecting");
        Connection.Reconnected += () => Log.Add("reconnected");
        Connection.ConnectionSlow += () => Log.Add("slow");
        Connection.Closed += () => Log.Add("closed");
    }

    public Connection Connection { get; }

    public ClientLog Log { get; } = new();

    /// <summary>The exceptions given to Error, in order.</summary>
    public IReadOnlyList<Exception> ErrorsRaised
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToArray();
            }
        }
    }

    public IReadOnlyList<string> Messages => Log.Messages;

    /// <summary>Creates and starts a probe; disposes it if the start fails.</summary>
    public static async Task<TetherProbe> StartAsync(string url, string transport, bool fast = false)
    {
        var probe = new TetherProbe(url);
        try
        {
            await probe.Connection.Start(TetherTransport.Create(transport, fast)).DefaultTimeout();
            return probe;
        }
        catch
        {
            await probe.DisposeAsync();
            throw;
        }
    }

    public Task Send(string data) => Connection.Send(data);

    /// <summary>Fails if the connection reconnected, was slow or raised an error: a healthy session shows none.</summary>
    public void AssertNoTrouble() =>
        Assert.DoesNotContain(Log.Events, e => e.StartsWith("error:", StringComparison.Ordinal) || e == "reconnecting" || e == "slow");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception)
        {
            // Cleanup only: the test has its verdict already.
        }
    }
}
