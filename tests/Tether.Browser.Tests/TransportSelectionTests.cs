using System.Text.Json;
using Tether.Server;
using Xunit.Abstractions;

namespace Tether.Browser.Tests;

/// <summary>
/// Which transport the official client ends up on. Tether does not implement foreverFrame: the server answers 400,
/// and the jQuery client never picks it in Chromium (it refuses foreverFrame wherever EventSource exists).
/// </summary>
public sealed class TransportSelectionTests(ChromiumFixture browser, ITestOutputHelper output) : BrowserTestBase(browser, output)
{
    [Fact]
    public async Task ForeverFrame_IsRefusedByTheServerAndNeverTriedByChromium()
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);

        Step("start with transport foreverFrame");
        var connection = await page.StartAsync("/echo", "foreverFrame");
        Assert.NotNull(connection.StartError);
        // The client rejects start() first and stops right after.
        var stopped = await page.WaitForEventAsync(connection.Handle, "disconnected");
        Assert.Equal("disconnected", stopped.State);
        AssertForeverFrameNeverUsed(server);

        Step("the server itself refuses foreverFrame");
        var (negotiateStatus, negotiateBody) = await page.RawRequestAsync("GET", "/echo/negotiate?clientProtocol=2.1");
        Assert.Equal(200, negotiateStatus);
        string token = JsonDocument.Parse(negotiateBody).RootElement.GetProperty("ConnectionToken").GetString()!;
        string query = $"transport=foreverFrame&clientProtocol=2.1&connectionToken={Uri.EscapeDataString(token)}";
        var (connectStatus, connectBody) = await page.RawRequestAsync("GET", $"/echo/connect?{query}&frameId=1");
        Assert.True(connectStatus == 400, $"GET /echo/connect?transport=foreverFrame answered {connectStatus} '{connectBody}', expected 400.");
        var (startStatus, startBody) = await page.RawRequestAsync("GET", $"/echo/start?{query}");
        Assert.True(startStatus == 400, $"GET /echo/start?transport=foreverFrame answered {startStatus} '{startBody}', expected 400.");
    }

    [Fact]
    public async Task Auto_PicksWebSockets()
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);

        var connection = await page.StartAsync("/echo", "auto");
        Assert.True(connection.StartError is null, $"start() failed: {connection}");
        Assert.Equal("webSockets", connection.Transport);
        await page.EchoAsync(connection.Handle, "auto");
        Assert.All(server.Requests.Snapshot().Where(r => r.Transport is not null), r => Assert.Equal("webSockets", r.Transport));
    }

    [Fact]
    public async Task Auto_WithoutWebSockets_PicksServerSentEvents()
    {
        var server = await StartServerAsync(o => o.Transports = PersistentConnectionTransports.ServerSentEvents | PersistentConnectionTransports.LongPolling);
        var page = await OpenPageAsync(server);

        var connection = await page.StartAsync("/echo", "auto");
        Assert.True(connection.StartError is null, $"start() failed: {connection}");
        Assert.Equal("serverSentEvents", connection.Transport);
        await page.EchoAsync(connection.Handle, "auto");

        // Negotiate said TryWebSockets: false, so the client did not even try.
        Assert.All(server.Requests.Snapshot().Where(r => r.Transport is not null), r => Assert.Equal("serverSentEvents", r.Transport));
    }

    [Fact]
    public async Task Auto_WithLongPollingOnly_FallsBackPastForeverFrameToLongPolling()
    {
        var server = await StartServerAsync(o => o.Transports = PersistentConnectionTransports.LongPolling);
        var page = await OpenPageAsync(server);

        var connection = await page.StartAsync("/echo", "auto");
        Assert.True(connection.StartError is null, $"start() failed: {connection}");
        Assert.Equal("longPolling", connection.Transport);
        await page.EchoAsync(connection.Handle, "auto");

        var requests = server.Requests.Snapshot();
        AssertForeverFrameNeverUsed(server);
        Assert.DoesNotContain(requests, r => r.Transport == "webSockets");
        // The client tried serverSentEvents first, and the server refused the disabled transport.
        var sse = Assert.Single(requests, r => r.Transport == "serverSentEvents");
        Assert.True(sse.Status == 400, $"A disabled transport must be refused with 400: {sse}");
    }

    /// <summary>
    /// No receive request (connect, reconnect, poll) named foreverFrame. The client's stop() still POSTs
    /// <c>/abort?transport=foreverFrame</c> after a refused explicit foreverFrame start; that one is allowed (and refused).
    /// </summary>
    private static void AssertForeverFrameNeverUsed(BrowserTestServer server) =>
        Assert.DoesNotContain(
            server.Requests.Snapshot(),
            r => string.Equals(r.Transport, "foreverFrame", StringComparison.OrdinalIgnoreCase) && !r.Path.EndsWith("/abort", StringComparison.Ordinal));
}
