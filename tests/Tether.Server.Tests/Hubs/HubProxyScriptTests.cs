using System.Net;
using System.Net.Http.Headers;

namespace Tether.Server.Tests.Hubs;

/// <summary><c>/signalr/hubs</c> and <c>/signalr/js</c>: the generated jquery.signalR proxy.</summary>
public sealed class HubProxyScriptTests
{
    [Theory]
    [InlineData("/signalr/hubs")]
    [InlineData("/signalr/js")]
    public async Task The_proxy_names_each_hub_and_method_as_the_classic_generator_does(string path)
    {
        await using var server = await HubTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var response = await http.GetAsync(path).DefaultTimeout();
        string script = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/javascript; charset=UTF-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("""signalR.hub = $.hubConnection("/signalr", { useDefaultPath: false });""", script, StringComparison.Ordinal);

        // [HubName] names are kept, class names are camel-cased; methods are camel-cased and invoke the server's name.
        Assert.Contains("""proxies["chat"] = this.createHubProxy("chat");""", script, StringComparison.Ordinal);
        Assert.Contains("""proxies["typedHub"] = this.createHubProxy("typedHub");""", script, StringComparison.Ordinal);
        Assert.Contains("\"sendToGroup\": function (p0, p1) {", script, StringComparison.Ordinal);
        Assert.Contains("$.merge([\"SendToGroup\"]", script, StringComparison.Ordinal);

        // The overload with the fewest parameters; IProgress<T> is not a parameter the page passes.
        Assert.Contains("\"overload\": function () {", script, StringComparison.Ordinal);
        Assert.Contains("\"countTo\": function (p0) {", script, StringComparison.Ordinal);
        Assert.DoesNotContain("onConnected", script, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_proxy_has_an_etag_and_a_matching_request_gets_304()
    {
        await using var server = await HubTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var first = await http.GetAsync("/signalr/hubs").DefaultTimeout();
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/signalr/hubs");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        using var second = await http.SendAsync(request).DefaultTimeout();
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync().DefaultTimeout());
    }

    [Fact]
    public async Task Turned_off_the_proxy_is_a_script_that_says_so()
    {
        await using var server = await HubTestServer.StartAsync(o => o.EnableJavaScriptProxies = false);
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        string script = await http.GetStringAsync("/signalr/hubs").DefaultTimeout();
        Assert.Equal("throw new Error(\"SignalR: JavaScript Hub proxy generation has been disabled.\");\n", script);
    }
}
