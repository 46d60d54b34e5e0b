using System.Net;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>Hub groups ride the persistent connection's groups: membership in the groups token, rejoined on reconnect.</summary>
public sealed class HubGroupsTests
{
    [Fact]
    public async Task Group_members_get_group_calls_and_others_do_not()
    {
        await using var server = await HubTestServer.StartAsync();
        using var member = new HubWireClient(server);
        using var outsider = new HubWireClient(server);
        await member.ConnectLongPollingAsync();
        await outsider.ConnectLongPollingAsync();

        Assert.Equal("""{"I":"0"}""", (await member.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Join","A":["room"]}""")).Body);
        var joined = await member.PollAsync();
        Assert.NotNull(joined.Envelope?.G);

        await outsider.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"SendToGroup","A":["room","hi"]}""");
        await outsider.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Send","A":["all","marker"]}""");

        Assert.Equal(
            ["""{"H":"chat","M":"addMessage","A":["room","hi"]}""", """{"H":"chat","M":"addMessage","A":["all","marker"]}"""],
            await member.PollUntilAsync(m => m.Count >= 2));
        Assert.Equal(["""{"H":"chat","M":"addMessage","A":["all","marker"]}"""], await outsider.PollUntilAsync(m => m.Count >= 1));
    }

    [Fact]
    public async Task A_reconnect_with_the_groups_token_rejoins_the_hub_groups()
    {
        await using var server = await HubTestServer.StartAsync();
        using var member = new HubWireClient(server);
        using var sender = new HubWireClient(server);
        await member.ConnectLongPollingAsync();
        await sender.ConnectLongPollingAsync();
        await member.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Join","A":["room"]}""");
        await member.PollAsync();
        Assert.NotNull(member.GroupsToken);

        // The reconnect poll rejoins from the token; a group call made while it is pending (or before) reaches it.
        var reconnect = member.PollAsync("reconnect");
        await sender.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"SendToGroup","A":["room","after reconnect"]}""");
        var reconnected = await reconnect;
        Assert.Equal(HttpStatusCode.OK, reconnected.Status);
        Assert.Equal(["""{"H":"chat","M":"addMessage","A":["room","after reconnect"]}"""], reconnected.Envelope!.RawM);
    }

    [Fact]
    public async Task Others_in_group_leaves_out_the_caller_and_leave_ends_membership()
    {
        await using var server = await HubTestServer.StartAsync();
        using var a = new HubWireClient(server);
        using var b = new HubWireClient(server);
        await a.ConnectLongPollingAsync();
        await b.ConnectLongPollingAsync();
        foreach (var client in new[] { a, b })
        {
            await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Join","A":["room"]}""");
            await client.PollAsync();
        }

        await a.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"SendToOthersInGroup","A":["room","from a"]}""");
        Assert.Equal(["""{"H":"chat","M":"addMessage","A":["room","from a"]}"""], await b.PollUntilAsync(m => m.Count >= 1));

        await b.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Leave","A":["room"]}""");
        await b.PollAsync();
        await a.InvokeAsync(ProtocolClient.LongPolling, """{"I":"2","H":"chat","M":"SendToGroup","A":["room","b left"]}""");
        await a.InvokeAsync(ProtocolClient.LongPolling, """{"I":"3","H":"chat","M":"Send","A":["all","marker"]}""");
        Assert.Equal(["""{"H":"chat","M":"addMessage","A":["all","marker"]}"""], await b.PollUntilAsync(m => m.Count >= 1));
        Assert.Equal(
            ["""{"H":"chat","M":"addMessage","A":["room","b left"]}""", """{"H":"chat","M":"addMessage","A":["all","marker"]}"""],
            await a.PollUntilAsync(m => m.Count >= 2));
    }
}
