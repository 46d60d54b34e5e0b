using Official = Microsoft.AspNet.SignalR.Client;
using OfficialTransports = Microsoft.AspNet.SignalR.Client.Transports;
using TetherClient = Tether.Client;
using TetherTransports = Tether.Client.Transports;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// The same scenario driven once with Tether.Client and once with the official client 2.4.2 against the same classic
/// server, comparing what each observes: transport, state changes in order, received text, Closed, and the server's
/// events. A scaffold for issue 3's side-by-side matrix: add scenarios as Tether.Client grows.
/// </summary>
public sealed class SideBySideTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    private static readonly string[] Payloads = ["first", "héllo wörld ✓ 😀", "{\"looks\":[\"like\",\"json\"]}"];

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task StartEchoStopLooksTheSame(string transport)
    {
        Observed official = await RunOfficial(transport);
        Observed tether = await RunTether(transport);

        Assert.Equal(official.Transport, tether.Transport);
        Assert.Equal(official.States, tether.States);
        Assert.Equal(official.Messages, tether.Messages);
        Assert.Equal(official.ClosedCount, tether.ClosedCount);
        Assert.Equal(official.ServerEvents, tether.ServerEvents);
        Assert.Equal(Payloads, official.Messages);
        Assert.Equal(1, official.ClosedCount);
    }

    private async Task<Observed> RunOfficial(string transport)
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
            _ => new OfficialTransports.LongPollingTransport(),
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

    private async Task<Observed> RunTether(string transport)
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
            _ => new TetherTransports.LongPollingTransport(),
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
    private sealed record Observed(
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
        public async Task<Observed> Finish(string transport, string connectionId, ClassicServerProcess server)
        {
            var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, connectionId).DefaultTimeout();
            Assert.True(disconnected.StopCalled);
            lock (_lock)
            {
                return new Observed(
                    transport,
                    _states.ToArray(),
                    _messages.ToArray(),
                    Volatile.Read(ref _closed),
                    server.Events.For(connectionId).Select(e => e.Kind).ToArray());
            }
        }
    }
}
