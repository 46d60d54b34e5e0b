using System.Net;
using Tether.Client.Transports;
using Tether.Shared;

namespace Tether.Client.Tests.Hubs;

/// <summary>
/// What HubConnection puts on the wire (as the classic .NET client does: <c>connectionData</c> on every request,
/// invocations with string ids and the state after the arguments), and how it behaves around a stop.
/// </summary>
public sealed class HubWireTests(HubServer server) : IClassFixture<HubServer>
{
    [Fact]
    public async Task ConnectionDataOnEveryRequest_InvocationsAsTheClassicClientWritesThem()
    {
        server.Requests.Clear();
        var connection = new HubConnection(server.BaseUri.ToString());
        IHubProxy chat = connection.CreateHubProxy("chat");
        await connection.Start(new LongPollingTransport()).DefaultTimeout();
        Assert.Equal("hello hub", await chat.Invoke<string>("Echo", "hello hub").DefaultTimeout());
        chat["name"] = "alice";
        Assert.Equal("hello alice #1", await chat.Invoke<string>("Greet").DefaultTimeout());
        await connection.StopAsync().DefaultTimeout();

        var requests = server.Requests.ToArray();
        Assert.Equal(
            ["/signalr/negotiate", "/signalr/connect", "/signalr/start", "/signalr/send", "/signalr/abort"],
            requests.Select(r => r.Path).Where(p => !p.EndsWith("/poll", StringComparison.Ordinal)).Distinct());
        Assert.All(requests, r => Assert.Equal("[{\"Name\":\"chat\"}]", r.ConnectionData));
        string[] sends = [.. requests.Where(r => r.Path == "/signalr/send").Select(r => WebUtility.UrlDecode(r.Body))];
        Assert.Equal(
            [
                "data={\"I\":\"0\",\"H\":\"chat\",\"M\":\"Echo\",\"A\":[\"hello hub\"]}",
                "data={\"I\":\"1\",\"H\":\"chat\",\"M\":\"Greet\",\"A\":[],\"S\":{\"name\":\"alice\"}}",
            ],
            sends);
        Assert.Equal("1", chat["visits"]!.ToJsonString());
        Assert.Equal(1, chat.GetValue<int>("visits"));
    }

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task StopInAHandler_ReturnsAtOnce_AndFailsWhatIsPending(string transport)
    {
        var connection = new HubConnection(server.BaseUri.ToString());
        IHubProxy chat = connection.CreateHubProxy("chat");
        var stopped = new TaskCompletionSource<ConnectionState>(TaskCreationOptions.RunContinuationsAsynchronously);
        chat.On<string, string>("addMessage", (name, _) =>
        {
            if (name == "slow")
            {
                connection.Stop();
                stopped.TrySetResult(connection.State);
            }
        });
        await connection.Start(TetherTransport.Create(transport)).DefaultTimeout();

        Task<string> pending = chat.Invoke<string>("Slow");
        Assert.Equal(ConnectionState.Disconnected, await stopped.Task.DefaultTimeout());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pending.DefaultTimeout());
        Assert.Equal("Connection was disconnected before invocation result was received.", error.Message);
        Assert.Throws<InvalidOperationException>(() => { GC.KeepAlive(chat.Invoke("Echo", "after stop")); });
        await connection.DisposeAsync();
    }
}
