using System.Net;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>What clients get back when a call or a request goes wrong: classic error texts, never a 500.</summary>
public sealed class HubErrorTests
{
    [Fact]
    public async Task An_exception_gives_the_generic_classic_text_with_the_names_as_the_client_sent_them()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, """[{"name":"chat"}]""");
        await client.ConnectLongPollingAsync();
        var reply = await client.InvokeAsync(ProtocolClient.LongPolling, """{"H":"CHAT","M":"crash","A":[],"I":0}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"I":"0","E":"There was an error invoking Hub method 'CHAT.crash'."}""", reply.Body);
    }

    [Fact]
    public async Task Detailed_errors_give_the_exception_message()
    {
        await using var server = await HubTestServer.StartAsync(o => o.EnableDetailedErrors = true);
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        Assert.Equal("""{"I":"0","E":"secret detail"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Crash","A":[]}""")).Body);
        Assert.Equal(
            """{"I":"1","E":"'Nope' method could not be resolved. No method found with that name."}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Nope","A":[]}""")).Body);
        Assert.Equal(
            """{"I":"2","E":"'Echo' method could not be resolved. Potential candidates are: Echo(String)"}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"2","H":"chat","M":"Echo","A":[1,2]}""")).Body);
    }

    [Fact]
    public async Task An_unknown_method_or_wrong_argument_count_is_a_generic_error_by_default()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        Assert.Equal("""{"I":"0","E":"There was an error invoking Hub method 'chat.Nope'."}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Nope","A":[]}""")).Body);
        Assert.Equal("""{"I":"1","E":"There was an error invoking Hub method 'chat.Add'."}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Add","A":["x",{}]}""")).Body);
    }

    [Fact]
    public async Task A_call_to_an_unknown_hub_is_an_error_result()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        Assert.Equal("""{"I":"0","E":"'ghost' Hub could not be resolved."}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"ghost","M":"Echo","A":["x"]}""")).Body);
    }

    [Theory]
    [InlineData("""[{"Name":"ghost"}]""", "'ghost' Hub could not be resolved.")]
    [InlineData("""[{"Name":"chat"},{"name":"CHAT"}]""", "Duplicate Hub names found.")]
    [InlineData("""{"Name":"chat"}""", "Protocol error: connectionData must be a JSON array of objects with a name.")]
    [InlineData("""[{"Name":""}]""", "Protocol error: connectionData must be a JSON array of objects with a name.")]
    [InlineData("""[{"Name":"chat""", "Protocol error: connectionData must be a JSON array of objects with a name.")]
    public async Task Bad_connection_data_is_answered_400_with_the_reason_on_every_request(string connectionData, string reason)
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, connectionData);
        var negotiate = await client.NegotiateAsync();
        Assert.Equal(HttpStatusCode.BadRequest, negotiate.Status);
        Assert.Equal(reason, negotiate.Body);

        using var good = new HubWireClient(server);
        await good.ConnectLongPollingAsync();
        good.ConnectionData = connectionData;
        foreach (var reply in new[] { await good.StartAsync(ProtocolClient.LongPolling), await good.InvokeAsync(ProtocolClient.LongPolling, "{}"), await good.AbortAsync(ProtocolClient.LongPolling) })
        {
            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
            Assert.Equal(reason, reply.Body);
        }
    }

    [Theory]
    [InlineData("", "Protocol error: a hub call must be a JSON object with H, M, A and I.")]
    [InlineData("not json", "Protocol error: a hub call must be valid JSON.")]
    [InlineData("[1,2]", "Protocol error: a hub call must be a JSON object with H, M, A and I.")]
    [InlineData("""{"H":"chat","M":"Echo","A":["x"]}""", "Protocol error: a hub call needs an id (I).")]
    public async Task A_call_that_cannot_be_read_and_has_no_id_is_answered_400(string call, string reason)
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        var reply = await client.InvokeAsync(ProtocolClient.LongPolling, call);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(reason, reply.Body);

        // The connection is unharmed.
        Assert.Equal("""{"R":"ok","I":"9"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"9","H":"chat","M":"Echo","A":["ok"]}""")).Body);
    }

    [Theory]
    [InlineData("""{"I":"4","M":"Echo","A":["x"]}""", """{"I":"4","E":"Protocol error: a hub call needs a hub (H) and a method (M)."}""")]
    [InlineData("""{"I":"4","H":"chat","M":"Echo","A":"x"}""", """{"I":"4","E":"Protocol error: the arguments of a hub call (A) must be an array."}""")]
    [InlineData("""{"I":"4","H":"chat","M":"Echo","A":["x"],"S":[1]}""", """{"I":"4","E":"Protocol error: the state of a hub call (S) must be an object."}""")]
    public async Task A_call_that_cannot_be_read_but_has_an_id_gets_an_error_result(string call, string result)
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        using var socket = await client.ConnectWebSocketAsync();
        await socket.SendTextAsync(call);
        Assert.Equal(result, (await socket.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task A_websocket_call_without_an_id_is_dropped_and_the_socket_stays_usable()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        using var socket = await client.ConnectWebSocketAsync();
        await socket.SendTextAsync("garbage");
        await socket.SendTextAsync("""{"I":"1","H":"chat","M":"Echo","A":["still here"]}""");
        Assert.Equal("""{"R":"still here","I":"1"}""", (await socket.ReceiveAsync()).Text);
    }
}
