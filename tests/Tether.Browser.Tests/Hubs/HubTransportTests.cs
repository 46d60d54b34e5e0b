using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Tether.Browser.Tests.Hubs;

/// <summary>
/// The official jQuery client 2.4.3 in headless Chromium calling Tether.Server's hubs over one transport, with the
/// generated <c>/signalr/hubs</c> proxy (<c>$.connection.chat.server.echo(...)</c>) and without it
/// (<c>$.hubConnection()</c> + <c>createHubProxy</c>): results, caller state, progress, hub errors with data, calls to
/// all and to groups, and a reconnect after a network cut that keeps the groups. Concrete classes pick the transport.
/// </summary>
public abstract class HubTransportTests(ChromiumFixture browser, HubServerFixture hubServer, ITestOutputHelper output)
    : BrowserTestBase(browser, output), IClassFixture<HubServerFixture>
{
    /// <summary>The transport name the client is told to use, or <c>auto</c>.</summary>
    protected abstract string Transport { get; }

    /// <summary>The transport the client must end up on.</summary>
    private string Used => Transport == "auto" ? "webSockets" : Transport;

    private BrowserTestServer Server { get; } = hubServer.Server;

    /// <summary>When this test began, on the shared server's request clock.</summary>
    private long SinceMs { get; set; }

    [Fact]
    public async Task GeneratedProxy_ReturnsResultsStateProgressAndHubErrors()
    {
        SinceMs = UseSharedServer(Server).Requests.NowMs;
        var page = await OpenHubPageAsync(Server, generatedProxy: true);
        var hub = await page.StartGeneratedAsync(Transport, new { userName = "ann ✓" });
        AssertStarted(hub);

        Step("results");
        await page.ExpectResultAsync(hub.Handle, "echo", "\"héllo wörld ✓ 😀\"", "héllo wörld ✓ 😀");
        await page.ExpectResultAsync(hub.Handle, "add", "42", 19, 23);

        Step("caller state: read by the hub, changed by it, back in the page");
        var greeted = await page.ExpectResultAsync(hub.Handle, "greet", "\"hello ann ✓\"");
        Assert.Equal("ann ✓", greeted.State.GetProperty("userName").GetString());
        Assert.True(greeted.State.GetProperty("greeted").GetBoolean(), $"state after greet: {greeted.State}");

        Step("progress, then the result");
        int call = await page.BeginInvokeAsync(hub.Handle, "countTo", 3);
        var progress = await page.WaitForProgressAsync(hub.Handle, call, 3);
        Assert.Equal([1, 2, 3], progress.Select(p => p.GetInt32()));
        Server.Server.Services.GetRequiredService<ProgressGate>().Open(hub.ConnectionId!);
        var counted = await page.EndInvokeAsync(hub.Handle, call);
        Assert.True(counted.Error is null, $"countTo failed: {counted}");
        Assert.Equal("counted to 3", counted.Result.GetString());
        Assert.Equal([1, 2, 3], counted.Progress.Select(p => p.GetInt32()));

        Step("a HubException with data");
        var failed = await page.InvokeAsync(hub.Handle, "fail", "boom");
        Assert.NotNull(failed.Error);
        Assert.Equal("boom", failed.Error.Message);
        Assert.Equal("HubException", failed.Error.Source);
        Assert.Equal(42, failed.Error.Data.GetProperty("code").GetInt32());

        Step("a call to every client");
        await page.ExpectResultAsync(hub.Handle, "send", "null", "ann", "hi all");
        var snapshot = await page.WaitForCallsAsync(hub.Handle, 1);
        Assert.Equal("addMessage(ann, hi all)", Assert.Single(snapshot.Calls).ToString());
        Assert.Equal(ExpectedStartEvents, snapshot.Events);
        Assert.Empty(snapshot.Errors);
        AssertOneTransport();

        var stopped = await page.StopAsync(hub.Handle);
        Assert.Equal("disconnected", stopped.State);
    }

    [Fact]
    public async Task CreateHubProxy_WithoutGeneratedProxy_CallsTheSameHub()
    {
        SinceMs = UseSharedServer(Server).Requests.NowMs;
        var page = await OpenHubPageAsync(Server, generatedProxy: false);
        var hub = await page.StartManualAsync(Transport, new { userName = "bob" });
        AssertStarted(hub);

        await page.ExpectResultAsync(hub.Handle, "Echo", "\"plain\"", "plain");
        await page.ExpectResultAsync(hub.Handle, "add", "5", 2, 3);
        var greeted = await page.ExpectResultAsync(hub.Handle, "Greet", "\"hello bob\"");
        Assert.True(greeted.State.GetProperty("greeted").GetBoolean(), $"state after Greet: {greeted.State}");

        var failed = await page.InvokeAsync(hub.Handle, "Fail", "no proxy");
        Assert.Equal("no proxy", failed.Error?.Message);
        Assert.Equal("HubException", failed.Error?.Source);
        Assert.Equal(42, failed.Error!.Data.GetProperty("code").GetInt32());

        await page.ExpectResultAsync(hub.Handle, "Send", "null", "bob", "hi");
        var snapshot = await page.WaitForCallsAsync(hub.Handle, 1);
        Assert.Equal("addMessage(bob, hi)", Assert.Single(snapshot.Calls).ToString());
        Assert.Empty(snapshot.Errors);
        AssertOneTransport();
        await page.StopAsync(hub.Handle);
    }

    [Fact]
    public async Task Groups_ReachOnlyTheirMembers_AcrossPages()
    {
        SinceMs = UseSharedServer(Server).Requests.NowMs;
        var pageA = await OpenHubPageAsync(Server, generatedProxy: true, "page A");
        var pageB = await OpenHubPageAsync(Server, generatedProxy: false, "page B");
        var a = await pageA.StartGeneratedAsync(Transport);
        var b = await pageB.StartManualAsync(Transport);
        AssertStarted(a);
        AssertStarted(b);
        string room = "room " + Guid.NewGuid().ToString("N");

        Step("A joins; B sends to the group, then to everyone");
        await pageA.ExpectResultAsync(a.Handle, "joinGroup", "null", room);
        await pageB.ExpectResultAsync(b.Handle, "SendToGroup", "null", room, "bob", "to the room");
        await pageB.ExpectResultAsync(b.Handle, "Send", "null", "bob", "marker 1");
        Assert.Equal(["addMessage(bob, to the room)", "addMessage(bob, marker 1)"], Calls(await pageA.WaitForCallsAsync(a.Handle, 2), "bob"));
        Assert.Equal(["addMessage(bob, marker 1)"], Calls(await pageB.WaitForCallsAsync(b.Handle, 1), "bob"));

        Step("A leaves; the group is empty");
        await pageA.ExpectResultAsync(a.Handle, "leaveGroup", "null", room);
        await pageB.ExpectResultAsync(b.Handle, "SendToGroup", "null", room, "bob", "to nobody");
        await pageB.ExpectResultAsync(b.Handle, "Send", "null", "bob", "marker 2");
        await pageA.WaitForCallsAsync(a.Handle, 3);
        await pageB.WaitForCallsAsync(b.Handle, 2);
        Assert.Equal(["addMessage(bob, to the room)", "addMessage(bob, marker 1)", "addMessage(bob, marker 2)"], Calls(await pageA.SnapshotAsync(a.Handle), "bob"));
        Assert.Equal(["addMessage(bob, marker 1)", "addMessage(bob, marker 2)"], Calls(await pageB.SnapshotAsync(b.Handle), "bob"));
        await pageA.StopAsync(a.Handle);
        await pageB.StopAsync(b.Handle);
    }

    [Fact]
    public async Task Reconnect_AfterCut_KeepsGroupsAndResumesCalls()
    {
        SinceMs = UseSharedServer(Server).Requests.NowMs;
        var page = await OpenHubPageAsync(Server, generatedProxy: true);
        var hub = await page.StartGeneratedAsync(Transport);
        AssertStarted(hub);
        string room = "room " + Guid.NewGuid().ToString("N");
        await page.ExpectResultAsync(hub.Handle, "joinGroup", "null", room);
        var context = Server.HubContext<ChatHub>();

        // As in the persistent-connection reconnect test, a receive request of this connection must be open at the
        // server before the cut: its socket or stream, or a poll (results come on the /send responses, so the poll
        // open now may have started before the last call).
        await Server.WaitForOpenReceiveAsync(TestHubs.Path, Used, Server.LatestStartMs(TestHubs.Path + "/negotiate"));
        Step("cut");
        try
        {
            Server.Proxy.RefuseNew = true;
            Step($"cut {Server.Proxy.CutAll()} TCP connection(s)");
            await page.WaitForEventAsync(hub.Handle, "reconnecting");

            Step("the server calls the group while the link is down");
            await ((Task)context.Clients.Group(room).addMessage("server", "during the cut")).DefaultTimeout();
        }
        finally
        {
            Server.Proxy.RefuseNew = false;
        }

        await page.WaitForEventAsync(hub.Handle, "reconnected");
        Assert.Equal(["addMessage(server, during the cut)"], Calls(await page.WaitForCallsAsync(hub.Handle, 1), "server"));

        Step("after the reconnect the connection is still in the group");
        await ((Task)context.Clients.Group(room).addMessage("server", "after the reconnect")).DefaultTimeout();
        var snapshot = await page.WaitForCallsAsync(hub.Handle, 2);
        Assert.Equal(["addMessage(server, during the cut)", "addMessage(server, after the reconnect)"], Calls(snapshot, "server"));
        await page.ExpectResultAsync(hub.Handle, "echo", "\"still here\"", "still here");
        Assert.Equal("connected", snapshot.State);
        Assert.Single(snapshot.Events, e => e == "reconnecting");
        Assert.Single(snapshot.Events, e => e == "reconnected");
        Assert.DoesNotContain("disconnected", snapshot.Events);
        Assert.Contains(Server.Requests.Snapshot(), r => r.Path == TestHubs.Path + "/reconnect" && r.Transport == Used);
        await page.StopAsync(hub.Handle);
    }

    /// <summary>
    /// The round trip of a hub call (<c>Echo</c>, the result on the <c>/send</c> response or a frame) next to that of a
    /// persistent-connection echo (<c>/echo</c>, the echo through the receive channel), sequential, timed in the page
    /// and printed: informative, never asserted on time.
    /// </summary>
    [Fact]
    public async Task RoundTrip_OfHubCallsAndOfPersistentEchoes_IsPrinted()
    {
        const int Count = 50;
        SinceMs = UseSharedServer(Server).Requests.NowMs;
        var hubPage = await OpenHubPageAsync(Server, generatedProxy: false, "hub page");
        var hub = await hubPage.StartManualAsync(Transport);
        AssertStarted(hub);
        var echoPage = await OpenPageAsync(Server, "echo page");
        var echo = await echoPage.StartAsync("/echo", Transport);
        Assert.True(echo.StartError is null, $"start() failed: {echo}");

        // Warm up both paths (JIT, connection pools), then measure.
        await hubPage.TimeEchoesAsync(hub.Handle, 5);
        await echoPage.TimeEchoesAsync(echo.Handle, 5);
        double[] hubTimes = await hubPage.TimeEchoesAsync(hub.Handle, Count);
        double[] echoTimes = await echoPage.TimeEchoesAsync(echo.Handle, Count);
        Assert.Equal(Count, hubTimes.Length);
        Assert.Equal(Count, echoTimes.Length);
        Output.WriteLine(FormattableString.Invariant(
            $"round trip over {Used} (jQuery 2.4.3 in Chromium, {Count} sequential): hub Echo median {Median(hubTimes):F2} ms, persistent /echo median {Median(echoTimes):F2} ms"));
        await hubPage.StopAsync(hub.Handle);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static readonly string[] ExpectedStartEvents = ["state:disconnected->connecting", "state:connecting->connected"];

    private void AssertStarted(HubSnapshot hub)
    {
        Assert.True(hub.StartError is null, $"start() failed: {hub}");
        Assert.Equal(Used, hub.Transport);
        Assert.Equal("connected", hub.State);
        Assert.False(string.IsNullOrEmpty(hub.ConnectionId));
    }

    /// <summary>Every hub request of this test named the transport (no fallback), and the hub's <c>/start</c> succeeded.</summary>
    private void AssertOneTransport()
    {
        var mine = Server.Requests.Snapshot().Where(r => r.StartMs >= SinceMs && r.Path.StartsWith(TestHubs.Path + "/", StringComparison.Ordinal)).ToList();
        Assert.All(mine.Where(r => r.Transport is not null), r => Assert.Equal(Used, r.Transport));
        Assert.Contains(mine, r => r.Path == TestHubs.Path + "/connect" && r.Status == (Used == "webSockets" ? 101 : 200));
        Assert.Contains(mine, r => r.Path == TestHubs.Path + "/start" && r.Status == 200);
    }

    /// <summary>The calls whose first argument is <paramref name="from"/>: broadcasts of other tests on the shared server are left out.</summary>
    private static string[] Calls(HubSnapshot snapshot, string from) =>
        snapshot.Calls.Where(c => c.ArgsText.Count > 0 && c.ArgsText[0] == from).Select(c => c.ToString()).ToArray();
}

public sealed class HubWebSocketsTests(ChromiumFixture browser, HubServerFixture hubServer, ITestOutputHelper output) : HubTransportTests(browser, hubServer, output)
{
    protected override string Transport => "webSockets";
}

public sealed class HubServerSentEventsTests(ChromiumFixture browser, HubServerFixture hubServer, ITestOutputHelper output) : HubTransportTests(browser, hubServer, output)
{
    protected override string Transport => "serverSentEvents";
}

public sealed class HubLongPollingTests(ChromiumFixture browser, HubServerFixture hubServer, ITestOutputHelper output) : HubTransportTests(browser, hubServer, output)
{
    protected override string Transport => "longPolling";
}

public sealed class HubAutoTests(ChromiumFixture browser, HubServerFixture hubServer, ITestOutputHelper output) : HubTransportTests(browser, hubServer, output)
{
    protected override string Transport => "auto";
}
