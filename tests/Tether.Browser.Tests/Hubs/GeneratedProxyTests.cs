using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Xunit.Abstractions;

namespace Tether.Browser.Tests.Hubs;

/// <summary>
/// The generated JavaScript proxy at <c>/signalr/hubs</c> (and <c>/signalr/js</c>): the names the jQuery client sees
/// on <c>$.connection</c>, caching with an ETag, and turning it off.
/// </summary>
public sealed class GeneratedProxyTests(ChromiumFixture browser, HubServerFixture hubServer, ITestOutputHelper output)
    : BrowserTestBase(browser, output), IClassFixture<HubServerFixture>
{
    [Fact]
    public async Task Proxy_CamelCasesNamesLikeTheClassicGenerator()
    {
        var server = UseSharedServer(hubServer.Server);
        var page = await OpenHubPageAsync(server, generatedProxy: true);

        // A hub named by [HubName] keeps that name; one without gets its class name camel-cased. Method names are
        // camel-cased unless [HubMethodName] names them.
        var names = await page.GeneratedProxyNamesAsync();
        Assert.Equal(["chat", "statusHub"], names.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["add", "countTo", "echo", "fail", "greet", "joinGroup", "leaveGroup", "send", "sendToGroup"], names["chat"].Order(StringComparer.Ordinal));
        Assert.Equal(["PING_Now", "getStatus"], names["statusHub"].Order(StringComparer.Ordinal));

        // The second hub works through its generated name too, on the same connection.
        var hub = await page.StartGeneratedAsync("auto");
        Assert.True(hub.StartError is null, $"start() failed: {hub}");
        Assert.Equal("\"pong\"", (await page.Harness.EvaluateAsync("() => $.connection.statusHub.server.PING_Now().then(r => JSON.stringify(r))")).GetString());
        Assert.Equal("\"ok\"", (await page.Harness.EvaluateAsync("() => $.connection.statusHub.server.getStatus().then(r => JSON.stringify(r))")).GetString());
        await page.StopAsync(hub.Handle);
    }

    [Fact]
    public async Task Proxy_IsServedAtHubsAndJs_WithAnETagThatAnswers304()
    {
        var server = UseSharedServer(hubServer.Server);
        using var http = new HttpClient { BaseAddress = server.Server.BaseUri };

        using var hubs = await http.GetAsync("/signalr/hubs").DefaultTimeout();
        using var js = await http.GetAsync("/signalr/js").DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, hubs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Equal("application/javascript", hubs.Content.Headers.ContentType?.MediaType);
        string script = await hubs.Content.ReadAsStringAsync();
        Assert.Equal(script, await js.Content.ReadAsStringAsync());
        Assert.Contains("createHubProxy", script, StringComparison.Ordinal);

        var etag = hubs.Headers.ETag;
        Assert.NotNull(etag);
        Assert.NotNull(hubs.Headers.CacheControl);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/signalr/hubs");
        request.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(request).DefaultTimeout();
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/signalr/hubs");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-the-proxy\""));
        using var full = await http.SendAsync(stale).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(script, await full.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Turned off (<c>EnableJavaScriptProxies = false</c>), the proxy is a script that throws, as the classic server's
    /// (<c>EmptyJavaScriptProxyGenerator</c>): 200 with <c>throw new Error(…)</c> saying <c>SignalR: JavaScript Hub
    /// proxy generation has been disabled.</c>, not a 404. A page that still loads it gets that error and no <c>$.connection.chat</c>;
    /// <c>createHubProxy</c> still reaches the hub.
    /// </summary>
    [Fact]
    public async Task Proxy_TurnedOff_IsAScriptThatThrows_AndHubsStillWorkWithoutIt()
    {
        var server = await StartServerAsync(configureHubs: o => o.EnableJavaScriptProxies = false);
        using var http = new HttpClient { BaseAddress = server.Server.BaseUri };
        foreach (string path in new[] { "/signalr/hubs", "/signalr/js" })
        {
            using var response = await http.GetAsync(path).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/javascript", response.Content.Headers.ContentType?.MediaType);
            string script = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("throw new Error(", script.Trim(), StringComparison.Ordinal);
            Assert.Contains("SignalR: JavaScript Hub proxy generation has been disabled.", script, StringComparison.Ordinal);
            Assert.DoesNotContain("createHubProxy", script, StringComparison.Ordinal);
        }

        var page = await OpenHubPageAsync(server, generatedProxy: true);
        Assert.Contains(page.Harness.Console, line => line.Contains("[pageerror]", StringComparison.Ordinal) && line.Contains("JavaScript Hub proxy generation has been disabled", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.True, (await page.Harness.EvaluateAsync("() => typeof $.connection.chat === 'undefined'")).ValueKind);
        var hub = await page.StartManualAsync("auto");
        Assert.True(hub.StartError is null, $"start() failed: {hub}");
        await page.ExpectResultAsync(hub.Handle, "echo", "\"without a proxy\"", "without a proxy");
        await page.StopAsync(hub.Handle);
    }
}
