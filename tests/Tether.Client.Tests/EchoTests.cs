using System.Diagnostics;
using Xunit.Abstractions;

namespace Tether.Client.Tests;

/// <summary>Echo, broadcast and groups against Tether.Server over each transport.</summary>
public sealed class EchoTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task StartEchoStop_StatesEventsAndIdentity(string transport)
    {
        var connection = new Connection(_server.Url("/echo"));
        var probe = new Probe(connection);
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.False(connection.IsActive);
        Assert.Null(connection.Transport);

        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        Assert.Equal(ConnectionState.Connected, connection.State);
        Assert.True(connection.IsActive);
        Assert.Equal(Transports.Expected(transport), connection.Transport!.Name);
        Assert.NotNull(connection.ConnectionId);
        Assert.Equal(connection.ConnectionId, connection.ClientId);
        Assert.NotNull(connection.ConnectionToken);
        Assert.NotNull(connection.MessageId);
        Assert.Equal(TimeSpan.FromSeconds(20), connection.KeepAliveData!.Timeout);

        // The echo endpoint sends back the string it got: a JSON string arrives unquoted.
        await connection.Send("hello").DefaultTimeout();
        await connection.Send(new { Name = "x", N = 1 }).DefaultTimeout();
        await probe.UntilMessages(2).DefaultTimeout();

        // A value the server sends as an object arrives as indented JSON text (docs/protocol.md#received-values).
        await _server.EchoContext().Connection.Send(connection.ConnectionId!, new { Name = "x", N = 1 });
        await probe.UntilMessages(3).DefaultTimeout();
        string indented = "{" + Environment.NewLine + "  \"Name\": \"x\"," + Environment.NewLine + "  \"N\": 1" + Environment.NewLine + "}";
        Assert.Equal(["hello", "{\"Name\":\"x\",\"N\":1}", indented], probe.Messages);

        connection.Stop();
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.False(connection.IsActive);
        Assert.Null(connection.ConnectionId);
        Assert.Null(connection.ConnectionToken);
        Assert.Null(connection.MessageId);
        Assert.Null(connection.Transport);
        Assert.Equal(
            ["state:Disconnected->Connecting", "state:Connecting->Connected", "received:hello", $"received:{probe.Messages[1]}", $"received:{indented}", "state:Connected->Disconnected", "closed"],
            probe.Events);
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task Echo1000InOrder_AndMeasureThroughput(string transport)
    {
        const int count = 1000;
        await using var connection = new Connection(_server.Url("/echo"));
        var probe = new Probe(connection);
        await connection.StartAsync(Transports.Create(transport)).DefaultTimeout();

        var watch = Stopwatch.StartNew();
        var sends = new List<Task>(count);
        for (int i = 0; i < count; i++)
        {
            sends.Add(connection.SendAsync("m" + i));
        }

        await Task.WhenAll(sends).DefaultTimeout();
        await probe.UntilMessages(count).DefaultTimeout();
        watch.Stop();

        Assert.Equal(Enumerable.Range(0, count).Select(i => "m" + i), probe.Messages);
        output.WriteLine($"THROUGHPUT Tether.Client {transport}: {count} echoes in {watch.Elapsed.TotalMilliseconds:F0} ms = {count / watch.Elapsed.TotalSeconds:F0} messages/s");
        await connection.StopAsync().DefaultTimeout();
        Assert.Equal(1, probe.Count("closed"));
    }

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task Broadcast_ReachesEveryConnection(string transport)
    {
        await using var a = new Connection(_server.Url("/broadcast"));
        await using var b = new Connection(_server.Url("/broadcast"));
        var pa = new Probe(a);
        var pb = new Probe(b);
        await a.Start(Transports.Create(transport)).DefaultTimeout();
        await b.Start(Transports.Create(transport)).DefaultTimeout();

        await a.Send("from-a").DefaultTimeout();
        await pa.UntilMessage("from-a").DefaultTimeout();
        await pb.UntilMessage("from-a").DefaultTimeout();
        await b.Send("from-b").DefaultTimeout();
        await pa.UntilMessages(2).DefaultTimeout();
        await pb.UntilMessages(2).DefaultTimeout();
        Assert.Equal(["from-a", "from-b"], pa.Messages);
        Assert.Equal(["from-a", "from-b"], pb.Messages);
    }

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task Groups_JoinSendLeave_WithGroupsToken(string transport)
    {
        await using var member = new Connection(_server.Url("/groups"));
        await using var other = new Connection(_server.Url("/groups"));
        var pm = new Probe(member);
        var po = new Probe(other);
        await member.Start(Transports.Create(transport)).DefaultTimeout();
        await other.Start(Transports.Create(transport)).DefaultTimeout();
        Assert.Null(member.GroupsToken);

        await member.Send("join:room").DefaultTimeout();
        await pm.UntilMessage("joined:room").DefaultTimeout();
        await other.Send("to:room:hello room").DefaultTimeout();
        await pm.UntilMessage("hello room").DefaultTimeout();
        Assert.NotNull(member.GroupsToken);

        await member.Send("leave:room").DefaultTimeout();
        await pm.UntilMessage("left:room").DefaultTimeout();
        await other.Send("to:room:after leave").DefaultTimeout();
        await other.Send("all:everyone").DefaultTimeout();
        await pm.UntilMessage("everyone").DefaultTimeout();
        Assert.DoesNotContain("after leave", pm.Messages);
        Assert.DoesNotContain(po.Messages, m => m.Contains("room", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task ServerEvents_ConnectedReceivedAndCleanStop(string transport)
    {
        var connection = new Connection(_server.Url("/events"));
        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        string id = connection.ConnectionId!;
        await _server.Events.WaitFor(ConnectionEventKind.Connected, id).DefaultTimeout();
        await connection.Send("ping").DefaultTimeout();
        await _server.Events.WaitFor(e => e.Kind == ConnectionEventKind.Received && e.ConnectionId == id && e.Data == "ping").DefaultTimeout();

        var watch = Stopwatch.StartNew();
        connection.Stop();
        output.WriteLine($"Stop took {watch.Elapsed.TotalMilliseconds:F1} ms");
        var disconnected = await _server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        Assert.True(disconnected.StopCalled);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Stop took {watch.Elapsed}.");
    }
}
