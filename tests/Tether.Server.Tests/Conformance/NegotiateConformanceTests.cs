using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Tether.Server;

namespace Tether.Server.Tests.Conformance;

/// <summary>docs/protocol.md#negotiate, #ping, #protocol-versions and #jsonp-and-cors, against the captures in curl-server-answers.txt.</summary>
public sealed class NegotiateConformanceTests
{
    private static Regex NegotiateShape(string url, string keepAlive, string disconnect, string connectionTimeout, string tryWebSockets, string protocol, string transportConnect, string longPollDelay) =>
        new("^\\{\"Url\":\"" + Regex.Escape(url) + "\"," +
            "\"ConnectionToken\":\"(?<token>(?:[^\"\\\\]|\\\\.)+)\"," +
            "\"ConnectionId\":\"(?<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\"," +
            "\"KeepAliveTimeout\":" + Regex.Escape(keepAlive) + "," +
            "\"DisconnectTimeout\":" + Regex.Escape(disconnect) + "," +
            "\"ConnectionTimeout\":" + Regex.Escape(connectionTimeout) + "," +
            "\"TryWebSockets\":" + tryWebSockets + "," +
            "\"ProtocolVersion\":\"" + Regex.Escape(protocol) + "\"," +
            "\"TransportConnectTimeout\":" + Regex.Escape(transportConnect) + "," +
            "\"LongPollDelay\":" + Regex.Escape(longPollDelay) + "\\}$");

    [Fact]
    public async Task V1_Negotiate_DotNet_ExactShape()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);

        var reply = await client.NegotiateAsync("clientProtocol=2.1");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(Expect.JsonContentType, reply.ContentType);
        Expect.NoSniff(reply);
        var shape = NegotiateShape("/echo", "20.0", "30.0", "110.0", "true", "2.0", "5.0", "0.0");
        Assert.Matches(shape, reply.Body);
        Assert.Equal(client.ConnectionId, shape.Match(reply.Body).Groups["id"].Value);
        Assert.DoesNotContain("availableTransports", reply.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task V1_Negotiate_NewConnectionIdAndTokenOnEveryCall()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);

        await client.NegotiateOrFailAsync();
        (string id1, string token1) = (client.ConnectionId, client.ConnectionToken);
        await client.NegotiateOrFailAsync();

        Assert.Matches(Expect.LowercaseGuidPattern, id1);
        Assert.Matches(Expect.LowercaseGuidPattern, client.ConnectionId);
        Assert.NotEqual(id1, client.ConnectionId);
        Assert.NotEqual(token1, client.ConnectionToken);
    }

    [Fact]
    public async Task V1_Negotiate_UrlIncludesPathBase()
    {
        await using var server = await TestServer.StartAsync(configureApp: app =>
        {
            app.UsePathBase("/app");
            app.UseRouting();
        });
        using var client = new ProtocolClient(server, "/app/echo");

        var reply = await client.NegotiateAsync("clientProtocol=2.1");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Matches(NegotiateShape("/app/echo", "20.0", "30.0", "110.0", "true", "2.0", "5.0", "0.0"), reply.Body);

        // The JS client builds its receive URLs as baseUrl + Url (P9): that URL must work.
        var connect = await client.LongPollAsync("connect");
        Assert.Equal(HttpStatusCode.OK, connect.Status);
        Assert.Matches(Expect.InitMessage, connect.Body);
    }

    [Fact]
    public async Task V1_Negotiate_UrlOfOtherConnections()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/groups");

        var reply = await client.NegotiateAsync("clientProtocol=2.1");

        // Official capture dotnet-longPolling-groups.txt: {"Url":"/groups",...}
        Assert.StartsWith("{\"Url\":\"/groups\",", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V1_Negotiate_JsStyleWithCacheBuster()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);

        var reply = await client.NegotiateAsync("clientProtocol=2.1&_=1700000000000");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Matches(NegotiateShape("/echo", "20.0", "30.0", "110.0", "true", "2.0", "5.0", "0.0"), reply.Body);
    }

    [Theory]
    [InlineData(null, "1.2")] // curl-server-answers.txt conn 3: no clientProtocol gives the minimum
    [InlineData("clientProtocol=1.2", "1.2")] // conn 4
    [InlineData("clientProtocol=1.5", "1.5")] // conn 1
    [InlineData("clientProtocol=9.9", "2.0")] // conn 5
    [InlineData("clientProtocol=2.1", "2.0")]
    [InlineData("clientProtocol=2.0", "2.0")]
    [InlineData("clientProtocol=1.4", "1.4")]
    [InlineData("clientProtocol=1.0", "1.2")]
    [InlineData("clientProtocol=abc", "1.2")]
    [InlineData("clientProtocol=", "1.2")]
    [InlineData("clientProtocol=2", "1.2")]
    [InlineData("clientProtocol=1.2.5", "1.2.5")]
    public async Task V3_ProtocolVersion_ClampedNeverRejected(string? query, string expected)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);

        var reply = await client.NegotiateAsync(query);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        using var json = JsonDocument.Parse(reply.Body);
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("ProtocolVersion").ValueKind);
        Assert.Equal(expected, json.RootElement.GetProperty("ProtocolVersion").GetString());
    }

    [Fact]
    public async Task V4_KeepAliveDisabled_KeepAliveTimeoutIsNull()
    {
        await using var server = await TestServer.StartAsync(o => o.KeepAlive = null);
        using var client = new ProtocolClient(server);

        var reply = await client.NegotiateAsync("clientProtocol=2.1");

        Assert.Matches(NegotiateShape("/echo", "null", "30.0", "110.0", "true", "2.0", "5.0", "0.0"), reply.Body);
    }

    [Fact]
    public async Task V4_NumberFormats_SecondsAsDoubles()
    {
        // Official capture dotnet-webSockets-keepalive.txt (--keepalive=2 --disconnect-timeout=12):
        // "KeepAliveTimeout":4.0,"DisconnectTimeout":12.0 ; curl-server-answers.txt (--connection-timeout=3): "ConnectionTimeout":3.0
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(12);
            o.KeepAlive = TimeSpan.FromSeconds(2);
            o.ConnectionTimeout = TimeSpan.FromSeconds(3);
            o.TransportConnectTimeout = TimeSpan.FromSeconds(7);
            o.LongPollDelay = TimeSpan.FromMilliseconds(500);
        });
        using var client = new ProtocolClient(server);

        var reply = await client.NegotiateAsync("clientProtocol=2.1");

        Assert.Matches(NegotiateShape("/echo", "4.0", "12.0", "3.0", "true", "2.0", "7.0", "0.5"), reply.Body);
    }

    [Fact]
    public async Task V1_TryWebSockets_FalseWhenWebSocketsTransportIsOff()
    {
        await using var server = await TestServer.StartAsync(o => o.Transports = PersistentConnectionTransports.LongPolling | PersistentConnectionTransports.ServerSentEvents);
        using var client = new ProtocolClient(server);

        var reply = await client.NegotiateAsync("clientProtocol=2.1");

        Assert.Matches(NegotiateShape("/echo", "20.0", "30.0", "110.0", "false", "2.0", "5.0", "0.0"), reply.Body);
    }

    [Theory]
    [InlineData("/echo/ping")] // curl-server-answers.txt conn 2: no query at all
    [InlineData("/echo/ping?_=1700000000001")]
    [InlineData("/echo/ping?clientProtocol=2.1&transport=bogus")]
    public async Task V5_Ping_ExactBody(string url)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);

        var reply = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(Expect.JsonContentType, reply.ContentType);
        Expect.NoSniff(reply);
        Assert.Equal("{ \"Response\": \"pong\" }", reply.Body);
    }

    [Theory]
    [InlineData("/echo/negotiate?clientProtocol=2.1&callback=jQuery1_2")]
    [InlineData("/echo/negotiate?clientProtocol=1.5&callback=cb")] // curl-server-answers.txt conn 6
    [InlineData("/echo/ping?callback=cb")]
    public async Task V25_Jsonp_DisabledByDefault_403WithReasonPhrase(string url)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);

        var reply = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal("Forbidden: JSONP is disabled.", reply.ReasonPhrase);
        Assert.Equal(string.Empty, reply.Body);

        // Official server differs from the older protocol notes, which said every response carries X-Content-Type-Options: nosniff,
        // but the official 403 for JSONP (curl-server-answers.txt conn 6) has no such header. Not asserted either way
        // (docs/protocol.md#where-tether-departs-from-the-notes-or-the-classic-server).
    }

    [Fact]
    public async Task V25_Jsonp_Enabled_WrapsNegotiateAndPing()
    {
        await using var server = await TestServer.StartAsync(o => o.EnableJsonp = true);
        using var client = new ProtocolClient(server);

        var negotiate = await client.GetAsync("/echo/negotiate?clientProtocol=2.1&callback=jQuery1_2");
        var ping = await client.GetAsync("/echo/ping?callback=jQuery1_2");

        Assert.Equal(HttpStatusCode.OK, negotiate.Status);
        Assert.Equal("application/javascript; charset=UTF-8", negotiate.ContentType);
        Assert.Matches("^jQuery1_2\\(\\{\"Url\":\"/echo\",\"ConnectionToken\":\".+\"LongPollDelay\":0\\.0\\}\\);$", negotiate.Body);
        Assert.Equal(HttpStatusCode.OK, ping.Status);
        Assert.Equal("application/javascript; charset=UTF-8", ping.ContentType);
        Assert.Equal("jQuery1_2({ \"Response\": \"pong\" });", ping.Body);
    }

    [Theory]
    [InlineData("alert(1)")]
    [InlineData("a;b")]
    [InlineData("</script>")]
    public async Task V25_Jsonp_Enabled_InvalidCallbackIsRefused(string callback)
    {
        await using var server = await TestServer.StartAsync(o => o.EnableJsonp = true);
        using var client = new ProtocolClient(server);

        var reply = await client.GetAsync("/echo/negotiate?clientProtocol=2.1&callback=" + Uri.EscapeDataString(callback));

        // Classic throws (500); anything but a script that runs the bad callback is acceptable.
        Assert.True((int)reply.Status >= 400, $"invalid JSONP callback was served: {reply}");
        Assert.DoesNotContain(callback + "(", reply.Body, StringComparison.Ordinal);
        var ping = await client.GetAsync("/echo/ping");
        Assert.Equal(HttpStatusCode.OK, ping.Status);
    }

    [Theory]
    [InlineData("/echo/NEGOTIATE?clientProtocol=2.1")]
    [InlineData("/echo/Negotiate?clientProtocol=2.1")]
    public async Task Dispatch_OperationSuffixIsCaseInsensitive(string url)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);

        var reply = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Contains("\"ConnectionToken\":\"", reply.Body, StringComparison.Ordinal);
    }
}
