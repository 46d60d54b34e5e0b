namespace Tether.ClassicServer.Tests;

/// <summary>Group membership and group sends on the classic server's <c>/groups</c>, driven by official clients.</summary>
public sealed class GroupsTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task GroupSendsReachMembersOnly(string transport)
    {
        await using var a = await OfficialClient.StartAsync(fixture.Server.Url("/groups"), transport);
        await using var b = await OfficialClient.StartAsync(fixture.Server.Url("/groups"), transport);
        await using var c = await OfficialClient.StartAsync(fixture.Server.Url("/groups"), transport);
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

        // others:G excludes the sender.
        await a.Send("others:G:second").DefaultTimeout();
        await b.WaitForMessage("second").DefaultTimeout();
        await Barrier("barrier-2");

        // After leave, b no longer gets the group's messages; a still does.
        await b.Send("leave:G").DefaultTimeout();
        await b.WaitForMessage("left:G").DefaultTimeout();
        await a.Send("to:G:third").DefaultTimeout();
        await a.WaitForMessage("third").DefaultTimeout();
        await Barrier("barrier-3");

        // Exactly these, in this order, nothing twice.
        Assert.Equal(["joined:G", "first", "barrier-1", "barrier-2", "third", "barrier-3"], a.Messages);
        Assert.Equal(["joined:G", "first", "barrier-1", "second", "barrier-2", "left:G", "barrier-3"], b.Messages);
        Assert.Equal(["barrier-1", "barrier-2", "barrier-3"], c.Messages);
        Assert.All(everyone, x => x.AssertNoTrouble());
    }
}
