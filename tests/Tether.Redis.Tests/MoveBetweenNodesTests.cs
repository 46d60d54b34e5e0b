using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Tether.Redis.Tests;

/// <summary>
/// A client moves from node A to node B (a load balancer switches it; its connections are cut) while messages keep
/// coming from node C: it resumes on B from A's cursor, with nothing lost or repeated; and tokens issued by one node are
/// accepted by another.
/// </summary>
public sealed class MoveBetweenNodesTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task ClientMovedFromNodeAToNodeBResumesWithNothingLostOrRepeated(string transport)
    {
        const int Total = 200;
        await using var cluster = await Cluster.StartAsync(redis.Server, 3);
        await using var balancer = SwitchProxy.Start(cluster[0].BaseUri);
        await using var client = await OfficialClient.StartAsync(balancer.Url("/events"), transport, output);
        string id = client.ConnectionId;
        await client.Send("join").DefaultTimeout();
        await client.WaitForMessage("join").DefaultTimeout();

        // Node C broadcasts and sends to the client directly, one message after another, while the client moves.
        var fromC = cluster.Context<EventsConnection>(2).Connection;
        var publisher = Task.Run(async () =>
        {
            for (int i = 0; i < Total; i++)
            {
                await (i % 3 == 0 ? fromC.Send(id, $"m{i}") : fromC.Broadcast($"m{i}"));
            }
        });

        await client.WaitForMessages(1 + (Total / 4)).DefaultTimeout();
        int mark = client.EventCount;
        balancer.SwitchTo(cluster[1].BaseUri);

        // Refuse new connections until the client has seen the link break: a long-polling client whose poll had just
        // returned would otherwise send its next poll to node B and never reconnect (which is fine, but not this test).
        balancer.RefuseNew = true;
        balancer.CutAll();
        await client.WaitForEvent(ClientEventKind.Reconnecting, mark).DefaultTimeout();
        balancer.RefuseNew = false;

        await client.WaitForEvent(ClientEventKind.Reconnected, mark).DefaultTimeout();
        await publisher.DefaultTimeout();
        await client.WaitForMessages(1 + Total).DefaultTimeout();

        // The reconnect reached node B, with node A's cursor; the next message proves nothing more came.
        await cluster[1].Events.WaitFor(ConnectionEventKind.Reconnected, id).DefaultTimeout();
        await client.Send("done").DefaultTimeout();
        await client.WaitForMessage("done").DefaultTimeout();
        Assert.Equal(["join", .. Enumerable.Range(0, Total).Select(i => $"m{i}"), "done"], client.Messages);
        Assert.Contains(cluster[1].Events.For(id), e => e.Kind == ConnectionEventKind.Received && e.Data == "done");
    }

    [Fact]
    public async Task GroupsFollowTheClientToAnotherNode()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        await using var balancer = SwitchProxy.Start(cluster[0].BaseUri);
        await using var client = await OfficialClient.StartAsync(balancer.Url("/groups"), Transports.WebSockets, output);
        await client.Send("join:room").DefaultTimeout();
        await client.WaitForMessage("joined:room").DefaultTimeout();

        int mark = client.EventCount;
        balancer.SwitchTo(cluster[1].BaseUri);
        balancer.CutAll();
        await client.WaitForEvent(ClientEventKind.Reconnected, mark).DefaultTimeout();

        // The groups token node A issued is read by node B, which subscribes the client to the group again.
        await cluster.Context<GroupsConnection>(0).Groups.Send("room", "still in the room");
        await client.WaitForMessage("still in the room").DefaultTimeout();
    }

    [Fact]
    public async Task ConnectionTokenFromNodeAIsAcceptedByNodeB()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2);
        using var http = new HttpClient();
        using var negotiate = await http.GetFromJsonAsync<JsonDocument>(cluster[0].Url("/echo/negotiate?clientProtocol=2.1")).DefaultTimeout();
        string token = Uri.EscapeDataString(negotiate!.RootElement.GetProperty("ConnectionToken").GetString()!);

        string query = $"transport=longPolling&clientProtocol=2.1&connectionToken={token}";
        using var connect = await http.GetAsync(cluster[1].Url($"/echo/connect?{query}")).DefaultTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, connect.StatusCode);
        Assert.Contains("\"S\":1", await connect.Content.ReadAsStringAsync());

        using var start = await http.GetAsync(cluster[1].Url($"/echo/start?{query}")).DefaultTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, start.StatusCode);
        Assert.Contains("started", await start.Content.ReadAsStringAsync());

        // A node of another application (other Data Protection keys) refuses the token.
        await using var stranger = await TestServer.StartAsync();
        using var refused = await http.GetAsync(stranger.Url($"/echo/start?{query}")).DefaultTimeout();
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
