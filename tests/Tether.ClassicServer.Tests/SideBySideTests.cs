using Tether.Shared;
using Xunit.Abstractions;
using Official = Microsoft.AspNet.SignalR.Client;
using OfficialTransports = Microsoft.AspNet.SignalR.Client.Transports;
using TetherClient = Tether.Client;
using TetherTransports = Tether.Client.Transports;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// The same scenario driven once with Tether.Client and once with the official client 2.4.2 against the same classic
/// server, comparing what each observes: transport, state changes in order, received text, Closed, and the server's
/// events; and a cut with a reconnect (the shared <see cref="SideBySideScenarios"/>, also run against Tether.Server by
/// Tether.Client.Tests' SideBySideReconnectTests).
/// </summary>
public sealed class SideBySideTests(ClassicServerFixture fixture, ITestOutputHelper output) : IClassFixture<ClassicServerFixture>
{
    private static readonly string[] Payloads = ["first", "héllo wörld ✓ 😀", "{\"looks\":[\"like\",\"json\"]}"];

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task StartEchoStopLooksTheSame(string transport)
    {
        Seen official = await RunOfficial(transport);
        Seen tether = await RunTether(transport);

        Assert.Equal(official.Transport, tether.Transport);
        Assert.Equal(official.States, tether.States);
        Assert.Equal(official.Messages, tether.Messages);
        Assert.Equal(official.ClosedCount, tether.ClosedCount);
        Assert.Equal(official.ServerEvents, tether.ServerEvents);
        Assert.Equal(Payloads, official.Messages);
        Assert.Equal(1, official.ClosedCount);
    }

    /// <summary>
    /// A cut mid-stream, through a fault proxy in front of the classic server: both clients go Reconnecting, reconnect
    /// with their cursor and groups token, and receive the same numbered stream once each, in order; then Stop.
    /// </summary>
    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task CutAndReconnectLooksTheSame(string transport)
    {
        // Both clients at once, each through its own proxy and with its own group: the waits are reconnect delays.
        await using var officialProxy = FaultProxy.Start(fixture.Server.BaseUri);
        await using var tetherProxy = FaultProxy.Start(fixture.Server.BaseUri);
        var officialRun = SideBySideScenarios.CutAndReconnect(ClientUnderTest.OfficialKind, officialProxy, fixture.Server.Url("/groups"), transport);
        var tetherRun = SideBySideScenarios.CutAndReconnect(ClientUnderTest.TetherKind, tetherProxy, fixture.Server.Url("/groups"), transport);
        await Task.WhenAll(officialRun, tetherRun);
        var official = await officialRun;
        var tether = await tetherRun;
        output.WriteLine($"{official.Client} ({official.Transport}): {official.Description}");
        output.WriteLine($"{tether.Client} ({tether.Transport}): {tether.Description}");

        Assert.Equal(official.Transport, tether.Transport);
        Assert.Equal(official.Lifecycle, tether.Lifecycle);
        Assert.Equal(official.Messages, tether.Messages);
        Assert.Equal(SideBySideScenarios.CutAndReconnectLifecycle, tether.Lifecycle);
        Assert.Equal(SideBySideScenarios.CutAndReconnectMessages, tether.Messages);
    }

    private async Task<Seen> RunOfficial(string transport)
    {
        var observed = new Observer();
        using var connection = new Official.Connection(fixture.Server.Url("/events"));
        connection.StateChanged += change => observed.State($"{change.OldState}->{change.NewState}");
        connection.Received += observed.Message;
        connection.Closed += observed.Closed;

        await connection.Start(transport switch
        {
            Transports.WebSockets => new OfficialTransports.WebSocketTransport(),
            Transports.ServerSentEvents => new OfficialTransports.ServerSentEventsTransport(),
            Transports.LongPolling => new OfficialTransports.LongPollingTransport(),
            _ => new OfficialTransports.AutoTransport(new Official.Http.DefaultHttpClient()),
        }).DefaultTimeout();
        string id = connection.ConnectionId;
        string name = connection.Transport.Name;
        foreach (string payload in Payloads)
        {
            await connection.Send(payload).DefaultTimeout();
        }

        await observed.WaitForMessages(Payloads.Length).DefaultTimeout();
        await Task.Run(() => connection.Stop()).DefaultTimeout();
        return await observed.Finish(name, id, fixture.Server);
    }

    private async Task<Seen> RunTether(string transport)
    {
        var observed = new Observer();
        await using var connection = new TetherClient.Connection(fixture.Server.Url("/events"));
        connection.StateChanged += change => observed.State($"{change.OldState}->{change.NewState}");
        connection.Received += observed.Message;
        connection.Closed += observed.Closed;

        await connection.Start(transport switch
        {
            Transports.WebSockets => new TetherTransports.WebSocketTransport(),
            Transports.ServerSentEvents => new TetherTransports.ServerSentEventsTransport(),
            Transports.LongPolling => new TetherTransports.LongPollingTransport(),
            _ => new TetherTransports.AutoTransport(new TetherClient.Http.DefaultHttpClient()),
        }).DefaultTimeout();
        string id = connection.ConnectionId!;
        string name = connection.Transport!.Name;
        foreach (string payload in Payloads)
        {
            await connection.Send(payload).DefaultTimeout();
        }

        await observed.WaitForMessages(Payloads.Length).DefaultTimeout();
        await connection.StopAsync().DefaultTimeout();
        return await observed.Finish(name, id, fixture.Server);
    }

    /// <summary>What one client saw, and what the server saw of its connection.</summary>
    private sealed record Seen(
        string Transport,
        IReadOnlyList<string> States,
        IReadOnlyList<string> Messages,
        int ClosedCount,
        IReadOnlyList<ConnectionEventKind> ServerEvents);

    private sealed class Observer
    {
        private readonly object _lock = new();
        private readonly List<string> _states = [];
        private readonly List<string> _messages = [];
        private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _expected = int.MaxValue;
        private int _closed;

        public void State(string change)
        {
            lock (_lock)
            {
                _states.Add(change);
            }
        }

        public void Message(string data)
        {
            lock (_lock)
            {
                _messages.Add(data);
                if (_messages.Count >= _expected)
                {
                    _enough.TrySetResult();
                }
            }
        }

        public void Closed() => Interlocked.Increment(ref _closed);

        public Task WaitForMessages(int count)
        {
            lock (_lock)
            {
                _expected = count;
                if (_messages.Count >= count)
                {
                    _enough.TrySetResult();
                }
            }

            return _enough.Task;
        }

        /// <summary>Waits for the server's OnDisconnected of this connection, then freezes what was seen.</summary>
        public async Task<Seen> Finish(string transport, string connectionId, ClassicServerProcess server)
        {
            var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, connectionId).DefaultTimeout();
            Assert.True(disconnected.StopCalled);
            lock (_lock)
            {
                return new Seen(
                    transport,
                    _states.ToArray(),
                    _messages.ToArray(),
                    Volatile.Read(ref _closed),
                    server.Events.For(connectionId).Select(e => e.Kind).ToArray());
            }
        }
    }
}
