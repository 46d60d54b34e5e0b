using Microsoft.Extensions.DependencyInjection;
using Tether.Server;
using Xunit.Abstractions;

namespace Tether.Interop.Tests;

/// <summary>Group membership and group sends, driven by official clients through <c>/groups</c>.</summary>
public sealed class GroupsTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task GroupSendsReachMembersOnly(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await OfficialClient.StartAsync(server.Url("/groups"), transport, output);
        await using var b = await OfficialClient.StartAsync(server.Url("/groups"), transport, output);
        await using var c = await OfficialClient.StartAsync(server.Url("/groups"), transport, output);
        OfficialClient[] everyone = [a, b, c];

        // A broadcast that everyone awaits: a group message that was going to reach a non-member has arrived by then.
        async Task Barrier(string name)
        {
            await a.Send("all:" + name).DefaultTimeout();
            await Task.WhenAll(everyone.Select(x => x.WaitForMessage(name))).DefaultTimeout();
        }

        await a.Send("join:G").DefaultTimeout();
        await a.WaitForMessage("joined:G").DefaultTimeout();
        await b.Send("join:G").DefaultTimeout();
        await b.WaitForMessage("joined:G").DefaultTimeout();

        // to:G reaches both members, the sender included, and not the outsider.
        await a.Send("to:G:first").DefaultTimeout();
        await Task.WhenAll(a.WaitForMessage("first"), b.WaitForMessage("first")).DefaultTimeout();
        await Barrier("barrier-1");
        Assert.DoesNotContain("first", c.Messages);

        // others:G excludes the sender.
        await a.Send("others:G:second").DefaultTimeout();
        await b.WaitForMessage("second").DefaultTimeout();
        await Barrier("barrier-2");
        Assert.DoesNotContain("second", a.Messages);
        Assert.DoesNotContain("second", c.Messages);

        // After leave, b no longer gets the group's messages; a still does.
        await b.Send("leave:G").DefaultTimeout();
        await b.WaitForMessage("left:G").DefaultTimeout();
        await a.Send("to:G:third").DefaultTimeout();
        await a.WaitForMessage("third").DefaultTimeout();
        await Barrier("barrier-3");
        Assert.DoesNotContain("third", b.Messages);
        Assert.DoesNotContain("third", c.Messages);

        // Nothing was delivered twice.
        Assert.Equal(["joined:G", "first", "barrier-1", "barrier-2", "third", "barrier-3"], a.Messages);
        Assert.Equal(["joined:G", "first", "barrier-1", "second", "barrier-2", "left:G", "barrier-3"], b.Messages);
        Assert.Equal(["barrier-1", "barrier-2", "barrier-3"], c.Messages);
        Assert.All(everyone, x => x.AssertNoTrouble());
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task MembershipSurvivesReconnect(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var client = await OfficialClient.StartAsync(proxy.Url("/groups"), transport, output);
        var groups = server.Services.GetRequiredService<IPersistentConnectionContext<GroupsConnection>>().Groups;

        await client.Send("join:G").DefaultTimeout();
        await client.WaitForMessage("joined:G").DefaultTimeout();
        Assert.False(string.IsNullOrEmpty(client.Connection.GroupsToken), "The client got no groups token (G) after joining.");
        await groups.Send("G", "before").DefaultTimeout();
        await client.WaitForMessage("before").DefaultTimeout();

        // Cut while the server keeps sending to the group; the reconnect must rejoin G (groups token) and resume the
        // group topic from the client's cursor.
        int mark = client.EventCount;
        proxy.RefuseNew = true;
        int refused = proxy.TotalRefused;
        proxy.CutAll();
        await client.WaitForEvent(ClientEventKind.Reconnecting, mark).DefaultTimeout();
        await groups.Send("G", "during").DefaultTimeout();
        await proxy.WaitForRefused(refused + 1).DefaultTimeout();
        proxy.RefuseNew = false;
        await client.WaitForEvent(ClientEventKind.Reconnected, mark).DefaultTimeout();

        await groups.Send("G", "after").DefaultTimeout();
        await client.WaitForMessage("after").DefaultTimeout();
        Assert.Equal(["joined:G", "before", "during", "after"], client.Messages);

        // Membership still works both ways after the reconnect.
        await client.Send("leave:G").DefaultTimeout();
        await client.WaitForMessage("left:G").DefaultTimeout();
        await groups.Send("G", "after-leave").DefaultTimeout();
        await client.Send("all:barrier").DefaultTimeout();
        await client.WaitForMessage("barrier").DefaultTimeout();
        Assert.Equal(["joined:G", "before", "during", "after", "left:G", "barrier"], client.Messages);
    }
}
