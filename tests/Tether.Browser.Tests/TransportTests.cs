using Xunit.Abstractions;

namespace Tether.Browser.Tests;

/// <summary>
/// The official jQuery client 2.4.3 in headless Chromium against Tether.Server over one forced transport:
/// start, echo, broadcast between two pages, reconnect after a cut, stop. Concrete classes pick the transport.
/// </summary>
public abstract class TransportTests(ChromiumFixture browser, ITestOutputHelper output) : BrowserTestBase(browser, output)
{
    private static readonly string[] StartEvents = ["state:disconnected->connecting", "starting", "state:connecting->connected"];

    /// <summary>The transport name the client is told to use.</summary>
    protected abstract string Transport { get; }

    /// <summary>Whether sends travel in order (one WebSocket) or as independent POSTs that may overtake each other.</summary>
    private bool OrderedSends => Transport == "webSockets";

    [Fact]
    public async Task Start_ConnectsOverTheRequestedTransport()
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);

        Step($"start /events over {Transport}");
        var connection = await page.StartAsync("/events", Transport);

        Assert.True(connection.StartError is null, $"start() failed: {connection}");
        Assert.Equal(Transport, connection.Transport);
        Assert.Equal("connected", connection.State);
        Assert.False(string.IsNullOrEmpty(connection.ConnectionId));
        Assert.Equal(StartEvents, connection.Events);
        Assert.Empty(connection.Errors);

        // OnConnected ran on /start, which completed before start() resolved: exactly once.
        var connected = await server.Events.WaitFor(ConnectionEventKind.Connected, connection.ConnectionId!).DefaultTimeout();
        Assert.Single(server.Events.For(connection.ConnectionId!), e => e.Kind == ConnectionEventKind.Connected);
        Assert.DoesNotContain(server.Events.For(connection.ConnectionId!), e => e.Kind is ConnectionEventKind.Reconnected or ConnectionEventKind.Disconnected);

        // No fallback: every transport-bearing request named this transport, and the receive channel was opened with it.
        var requests = server.Requests.Snapshot();
        Assert.All(requests.Where(r => r.Transport is not null), r => Assert.Equal(Transport, r.Transport));
        Assert.Contains(requests, r => r.Path == "/events/connect" && r.Transport == Transport);
        Assert.Single(requests, r => r.Path == "/events/negotiate");
        Assert.Single(requests, r => r.Path == "/events/start" && r.Status == 200);
        Assert.Contains(requests, r => r.Path == "/events/connect" && r.Status == (Transport == "webSockets" ? 101 : 200));
    }

    [Fact]
    public async Task Echo_ReturnsEveryPayloadUnchanged()
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);
        var connection = await page.StartAsync("/echo", Transport);
        Assert.True(connection.StartError is null, $"start() failed: {connection}");

        string[] payloads =
        [
            "hello",
            "héllo wörld ✓ 😀 日本",
            "a+b&c=d%20e f?g#h",
            "{\"json\":\"stays text\"}",
            "42",
            "line1\nline2\r\n\ttabbed \"quoted\" \\ back",
            "</script><script>",
            new string('x', 16 * 1024),
        ];
        Step("echo one at a time");
        foreach (string payload in payloads)
        {
            await page.EchoAsync(connection.Handle, payload);
        }

        Step("burst of 10 sends");
        string[] burst = Enumerable.Range(1, 10).Select(i => $"burst-{i}").ToArray();
        foreach (string message in burst)
        {
            await page.SendAsync(connection.Handle, message);
        }

        var received = await page.WaitForMessagesAsync(connection.Handle, payloads.Length + burst.Length);
        Assert.Equal(payloads, received.Take(payloads.Length));
        var burstReceived = received.Skip(payloads.Length).ToArray();
        if (OrderedSends)
        {
            Assert.Equal(burst, burstReceived);
        }
        else
        {
            Assert.Equal(burst.Order(StringComparer.Ordinal), burstReceived.Order(StringComparer.Ordinal));
        }

        Step("final marker");
        await page.EchoAsync(connection.Handle, "end");
        var final = await page.SnapshotAsync(connection.Handle);
        Assert.Equal([.. payloads, .. burstReceived, "end"], final.ReceivedText);
        Assert.Equal(StartEvents, final.Events);
        Assert.Empty(final.Errors);
    }

    [Fact]
    public async Task Broadcast_ReachesEveryPage()
    {
        var server = await StartServerAsync();
        var pageA = await OpenPageAsync(server, "page A");
        var pageB = await OpenPageAsync(server, "page B");

        var a = await pageA.StartAsync("/broadcast", Transport);
        var b = await pageB.StartAsync("/broadcast", Transport);
        Assert.True(a.StartError is null, $"start() failed: {a}");
        Assert.True(b.StartError is null, $"start() failed: {b}");
        Assert.NotEqual(a.ConnectionId, b.ConnectionId);

        // A connection of another type in page A must not see the broadcasts.
        var other = await pageA.StartAsync("/echo", Transport);
        Assert.True(other.StartError is null, $"start() failed: {other}");

        Step("A broadcasts");
        await pageA.SendAsync(a.Handle, "from A");
        Assert.Equal(["from A"], await pageA.WaitForMessagesAsync(a.Handle, 1));
        Assert.Equal(["from A"], await pageB.WaitForMessagesAsync(b.Handle, 1));

        Step("B broadcasts");
        await pageB.SendAsync(b.Handle, "from B ✓");
        Assert.Equal(["from A", "from B ✓"], await pageA.WaitForMessagesAsync(a.Handle, 2));
        Assert.Equal(["from A", "from B ✓"], await pageB.WaitForMessagesAsync(b.Handle, 2));

        Step("server broadcasts");
        await server.Context<BroadcastConnection>().Connection.Broadcast("from server");
        Assert.Equal(["from A", "from B ✓", "from server"], await pageA.WaitForMessagesAsync(a.Handle, 3));
        Assert.Equal(["from A", "from B ✓", "from server"], await pageB.WaitForMessagesAsync(b.Handle, 3));

        await pageA.EchoAsync(other.Handle, "only mine");
        Assert.Equal(["only mine"], (await pageA.SnapshotAsync(other.Handle)).ReceivedText);
        Assert.Equal(3, (await pageA.SnapshotAsync(a.Handle)).Received.Count);
        Assert.Equal(3, (await pageB.SnapshotAsync(b.Handle)).Received.Count);
    }

    [Fact]
    public async Task Reconnect_AfterCut_ResumesWithoutLossOrDuplicates()
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);
        var connection = await page.StartAsync("/events", Transport);
        Assert.True(connection.StartError is null, $"start() failed: {connection}");
        string id = connection.ConnectionId!;
        await page.EchoAsync(connection.Handle, "before cut");

        // A network drop: every TCP connection through the proxy is reset, and new ones are refused (reset at once)
        // while the server sends, so these messages can only arrive by resumption. (Refusing beats stalling here:
        // Chromium silently retries a request whose reused socket was reset, and a retry on a stalled connection
        // would leave the long poll hanging without an error.) A long poll must be pending at the server first:
        // the one the client opened after the echo came back, i.e. after the /send.
        await server.WaitForOpenReceiveAsync("/events", Transport, server.LatestStartMs(Transport == "longPolling" ? "/events/send" : "/events/connect"));
        Step("cut");
        server.Proxy.RefuseNew = true;
        int cut = server.Proxy.CutAll();
        Step($"cut {cut} TCP connection(s)");
        await page.WaitForEventAsync(connection.Handle, "reconnecting");

        Step("server sends while the link is down");
        string[] duringCut = Enumerable.Range(1, 5).Select(i => $"during cut {i}").ToArray();
        var context = server.Context<EventsConnection>();
        foreach (string message in duringCut)
        {
            await context.Connection.Send(id, message).DefaultTimeout();
        }

        Step("restore");
        server.Proxy.RefuseNew = false;
        await page.WaitForEventAsync(connection.Handle, "reconnected");
        var received = await page.WaitForMessagesAsync(connection.Handle, 1 + duringCut.Length);
        Assert.Equal(["before cut", .. duringCut], received);

        Step("echo after reconnect");
        await page.EchoAsync(connection.Handle, "after reconnect");
        var final = await page.SnapshotAsync(connection.Handle);
        Assert.Equal(["before cut", .. duringCut, "after reconnect"], final.ReceivedText);
        Assert.Equal("connected", final.State);
        Assert.Equal(1, final.Events.Count(e => e == "reconnecting"));
        Assert.Equal(1, final.Events.Count(e => e == "reconnected"));
        Assert.True(
            final.Events.ToList().IndexOf("reconnecting") < final.Events.ToList().IndexOf("reconnected"),
            $"reconnecting must come before reconnected: {final}");
        Assert.DoesNotContain("disconnected", final.Events);

        // The server saw a reconnect, not a new connection, and did not give the connection up.
        await server.Events.WaitFor(ConnectionEventKind.Reconnected, id).DefaultTimeout();
        var events = server.Events.For(id);
        Assert.Single(events, e => e.Kind == ConnectionEventKind.Connected);
        Assert.DoesNotContain(events, e => e.Kind == ConnectionEventKind.Disconnected);
        Assert.Contains(server.Requests.Snapshot(), r => r.Path == "/events/reconnect" && r.Transport == Transport);
    }

    [Fact]
    public async Task Stop_RaisesDisconnectedInThePageAndOnTheServerOnce()
    {
        // Short timeouts so that the canary below is given up by the server within seconds.
        var server = await StartServerAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(3);
            o.KeepAlive = null;
        });
        var page = await OpenPageAsync(server);
        var connection = await page.StartAsync("/events", Transport);
        Assert.True(connection.StartError is null, $"start() failed: {connection}");
        string id = connection.ConnectionId!;
        await page.EchoAsync(connection.Handle, "before stop");

        Step("stop");
        var stopped = await page.StopAsync(connection.Handle);
        Assert.Equal("disconnected", stopped.State);
        Assert.Single(stopped.Events, e => e == "disconnected");
        Assert.Empty(stopped.Errors);

        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        Assert.True(disconnected.StopCalled, "OnDisconnected after the client's /abort must have stopCalled: true.");
        Assert.Contains(server.Requests.Snapshot(), r => r.Method == "POST" && r.Path == "/events/abort");

        // "Exactly once" without sleeping: a canary connection started after the stop is cut off for good (its TCP
        // connections reset, new ones refused, so the client gives up after DisconnectTimeout); once the
        // server has timed the canary out (DisconnectTimeout + threshold after its cut), any late timeout-driven
        // OnDisconnected for the stopped connection would have fired too.
        Step("canary");
        var canary = await page.StartAsync("/events", Transport);
        Assert.True(canary.StartError is null, $"start() failed: {canary}");
        await server.WaitForOpenReceiveAsync("/events", Transport, server.LatestStartMs("/events/connect"));
        server.Proxy.RefuseNew = true;
        server.Proxy.CutAll();
        var canaryGone = await server.Events.WaitFor(ConnectionEventKind.Disconnected, canary.ConnectionId!).DefaultTimeout();
        Assert.False(canaryGone.StopCalled, "The canary never sent /abort.");

        var events = server.Events.For(id);
        Assert.Single(events, e => e.Kind == ConnectionEventKind.Disconnected);
        Assert.Single(events, e => e.Kind == ConnectionEventKind.Connected);
        Assert.DoesNotContain(events, e => e.Kind == ConnectionEventKind.Reconnected);
        var after = await page.SnapshotAsync(connection.Handle);
        Assert.Single(after.Events, e => e == "disconnected");
    }
}

public sealed class WebSocketsTests(ChromiumFixture browser, ITestOutputHelper output) : TransportTests(browser, output)
{
    protected override string Transport => "webSockets";
}

public sealed class ServerSentEventsTests(ChromiumFixture browser, ITestOutputHelper output) : TransportTests(browser, output)
{
    protected override string Transport => "serverSentEvents";
}

public sealed class LongPollingTests(ChromiumFixture browser, ITestOutputHelper output) : TransportTests(browser, output)
{
    protected override string Transport => "longPolling";
}
