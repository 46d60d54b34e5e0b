using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>
/// The calls of one WebSocket connection run side by side, as classic ran them, up to
/// <see cref="HubOptions.MaximumParallelInvocationsPerConnection"/>; with 1 they run one after another, in order.
/// </summary>
public sealed class HubParallelCallsTests
{
    private const string Gated = """[{"Name":"gated"}]""";

    [Fact]
    public async Task A_long_call_does_not_hold_up_the_next_one_on_a_websocket()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, Gated);
        using var socket = await client.ConnectWebSocketAsync();

        await socket.SendTextAsync("""{"I":"0","H":"gated","M":"Hold","A":["a"]}""");
        await server.Events.WaitFor("start a").DefaultTimeout();
        await socket.SendTextAsync("""{"I":"1","H":"gated","M":"Quick","A":[]}""");
        Assert.Equal("""{"R":"quick","I":"1"}""", (await socket.ReceiveAsync()).Text);

        server.Gates.Open("a");
        Assert.Equal("""{"R":"a","I":"0"}""", (await socket.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task No_more_calls_run_at_once_than_the_bound()
    {
        await using var server = await HubTestServer.StartAsync(o => o.MaximumParallelInvocationsPerConnection = 2);
        using var client = new HubWireClient(server, Gated);
        using var socket = await client.ConnectWebSocketAsync();

        foreach (var (id, name) in new[] { ("0", "a"), ("1", "b"), ("2", "c") })
        {
            await socket.SendTextAsync($$"""{"I":"{{id}}","H":"gated","M":"Hold","A":["{{name}}"]}""");
        }

        await server.Events.WaitFor("start b").DefaultTimeout();
        server.Gates.Open("a");
        Assert.Equal("""{"R":"a","I":"0"}""", (await socket.ReceiveAsync()).Text);

        // c could only start once a had finished and given back its slot.
        await server.Events.WaitFor("start c").DefaultTimeout();
        Assert.Equal(["start a", "start b", "end a", "start c"], server.Events.Snapshot());
        server.Gates.Open("b");
        server.Gates.Open("c");
        string[] rest = [(await socket.ReceiveAsync()).Text, (await socket.ReceiveAsync()).Text];
        Assert.Equal(["""{"R":"b","I":"1"}""", """{"R":"c","I":"2"}"""], rest.Order());
    }

    [Fact]
    public async Task With_a_bound_of_one_calls_run_one_after_another_in_order()
    {
        await using var server = await HubTestServer.StartAsync(o => o.MaximumParallelInvocationsPerConnection = 1);
        using var client = new HubWireClient(server, Gated);
        using var socket = await client.ConnectWebSocketAsync();

        await socket.SendTextAsync("""{"I":"0","H":"gated","M":"Hold","A":["a"]}""");
        await socket.SendTextAsync("""{"I":"1","H":"gated","M":"Quick","A":[]}""");
        await server.Events.WaitFor("start a").DefaultTimeout();
        server.Gates.Open("a");
        Assert.Equal("""{"R":"a","I":"0"}""", (await socket.ReceiveAsync()).Text);
        Assert.Equal("""{"R":"quick","I":"1"}""", (await socket.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task A_call_still_running_when_the_socket_closes_finishes_without_a_fault()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, Gated);
        using (var socket = await client.ConnectWebSocketAsync())
        {
            await socket.SendTextAsync("""{"I":"0","H":"gated","M":"Hold","A":["a"]}""");
            await server.Events.WaitFor("start a").DefaultTimeout();
            socket.Socket.Abort();
        }

        server.Gates.Open("a");
        await server.Events.WaitFor("end a").DefaultTimeout();

        // The connection is still usable by a new client after the call's reply was lost.
        using var next = new HubWireClient(server, Gated);
        using var again = await next.ConnectWebSocketAsync();
        await again.SendTextAsync("""{"I":"0","H":"gated","M":"Quick","A":[]}""");
        Assert.Equal("""{"R":"quick","I":"0"}""", (await again.ReceiveAsync()).Text);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void The_bound_must_be_at_least_one(int value)
    {
        var options = new HubOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaximumParallelInvocationsPerConnection = value);
        Assert.Equal(8, options.MaximumParallelInvocationsPerConnection);
    }
}
