using System.Net;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>
/// The exchange of the captures (<c>dotnet-longPolling-hub.txt</c>, <c>dotnet-webSockets-hub.txt</c>) replayed by hand:
/// the same calls must give the same bytes, on the <c>/send</c> response (long polling, Server-Sent Events) or as
/// WebSocket frames of their own, and the client call inside <c>M</c>.
/// </summary>
public sealed class HubWireTests
{
    private const string AddMessage = """{"H":"chat","M":"addMessage","A":["peer","broadcast-1"]}""";

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    public async Task Results_come_back_on_the_send_response_byte_for_byte(string transport)
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        SseStream? stream = null;
        if (transport == ProtocolClient.LongPolling)
        {
            await client.ConnectLongPollingAsync();
        }
        else
        {
            stream = await client.ConnectServerSentEventsAsync();
        }

        var echo = await client.InvokeAsync(transport, """{"I":"0","H":"chat","M":"Echo","A":["hello hub"]}""");
        Assert.Equal(HttpStatusCode.OK, echo.Status);
        Assert.Equal("application/json; charset=UTF-8", echo.ContentType);
        Assert.Equal("""{"R":"hello hub","I":"0"}""", echo.Body);
        Assert.Equal("""{"R":5,"I":"1"}""", (await client.InvokeAsync(transport, """{"I":"1","H":"chat","M":"Add","A":[2,3]}""")).Body);
        Assert.Equal("""{"I":"2"}""", (await client.InvokeAsync(transport, """{"I":"2","H":"chat","M":"Send","A":["peer","broadcast-1"]}""")).Body);
        Assert.Equal("""{"I":"3","H":true,"E":"boom","D":{"code":42}}""", (await client.InvokeAsync(transport, """{"I":"3","H":"chat","M":"Fail","A":["boom"]}""")).Body);

        List<string> messages = stream is null
            ? await client.PollUntilAsync(m => m.Count >= 1)
            : [.. (await stream.ReadUntilAsync(m => m.Count >= 1)).SelectMany(e => e.RawM)];
        Assert.Equal([AddMessage], messages);
        Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(transport)).Status);
        if (stream is not null)
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Results_are_websocket_frames_of_their_own_byte_for_byte()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        using var socket = await client.ConnectWebSocketAsync();

        await socket.SendTextAsync("""{"I":"0","H":"chat","M":"Echo","A":["hello hub"]}""");
        Assert.Equal("""{"R":"hello hub","I":"0"}""", (await socket.ReceiveAsync()).Text);
        await socket.SendTextAsync("""{"I":"1","H":"chat","M":"Add","A":[2,3]}""");
        Assert.Equal("""{"R":5,"I":"1"}""", (await socket.ReceiveAsync()).Text);
        await socket.SendTextAsync("""{"I":"2","H":"chat","M":"Send","A":["peer","broadcast-1"]}""");

        // The broadcast and the result race, as on the classic server: take both in either order.
        var frames = new[] { (await socket.ReceiveAsync()).Text, (await socket.ReceiveAsync()).Text };
        Assert.Contains("""{"I":"2"}""", frames);
        var envelope = Envelope.TryParse(frames.Single(f => f != """{"I":"2"}"""));
        Assert.Equal([AddMessage], envelope!.RawM);

        await socket.SendTextAsync("""{"I":"3","H":"chat","M":"Fail","A":["boom"]}""");
        Assert.Equal("""{"I":"3","H":true,"E":"boom","D":{"code":42}}""", (await socket.ReceiveAsync()).Text);
        Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(ProtocolClient.WebSockets)).Status);
    }

    [Fact]
    public async Task A_javascript_call_with_a_numeric_id_gets_a_string_id()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, """[{"name":"chat"}]""");
        await client.ConnectLongPollingAsync();
        Assert.Equal("""{"R":"x","I":"7"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"H":"chat","M":"echo","A":["x"],"I":7}""")).Body);
    }

    [Fact]
    public async Task Negotiate_with_hub_connection_data_answers_as_the_persistent_connection_does()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        var reply = await client.NegotiateAsync();
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        string expected = "{\"Url\":\"/signalr\",\"ConnectionToken\":\"" + client.ConnectionToken + "\",\"ConnectionId\":\"" + client.ConnectionId
            + "\",\"KeepAliveTimeout\":20.0,\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,\"TryWebSockets\":true,\"ProtocolVersion\":\"2.0\",\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}";
        Assert.Equal(expected, reply.Body);
    }
}
