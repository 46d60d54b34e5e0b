using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tether.Server;
using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>The real <c>tether probe</c> in a child process against Tether servers, with transports off, refused or buffered on the way.</summary>
public sealed class ProbeCommandTests(ITestOutputHelper output)
{
    private static readonly string[] TransportNames = ["webSockets", "serverSentEvents", "longPolling"];

    [Fact]
    public async Task An_echo_endpoint_works_on_every_transport_and_the_json_says_so_with_timings_and_settings()
    {
        await using var server = await TestServer.StartAsync();

        var (exit, report, cli) = await ProbeJsonAsync(server.Url("/echo"));

        Assert.True(exit == 0, cli.Transcript());
        Assert.True(report.GetProperty("ok").GetBoolean());
        var settings = report.GetProperty("negotiate").GetProperty("settings");
        Assert.Equal("2.0", settings.GetProperty("protocolVersion").GetString());
        Assert.Equal(20, settings.GetProperty("keepAliveTimeoutSeconds").GetDouble());
        Assert.Equal(30, settings.GetProperty("disconnectTimeoutSeconds").GetDouble());
        Assert.True(settings.GetProperty("tryWebSockets").GetBoolean());
        Assert.Equal(TransportNames, Transports(report).Select(t => t.GetProperty("name").GetString()));
        Assert.All(Transports(report), t =>
        {
            Assert.Equal("ok", t.GetProperty("status").GetString());
            Assert.Equal("ok", t.GetProperty("echo").GetString());
            Assert.True(t.GetProperty("connectMilliseconds").GetDouble() > 0);
            Assert.True(t.GetProperty("echoMilliseconds").GetDouble() >= 0);
        });
    }

    [Fact]
    public async Task An_endpoint_that_does_not_echo_is_checked_for_connect_and_start_only_and_the_text_says_so()
    {
        await using var server = await TestServer.StartAsync(configureApp: app => app.MapPersistentConnection<SilentConnection>("/silent"));
        await using var cli = CliProcess.Start(output, "probe", server.Url("/silent"), "--echo-timeout", "0.5");

        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Contains(cli.StdoutLines, l => l.StartsWith("Negotiated ", StringComparison.Ordinal));
        Assert.Contains(cli.StdoutLines, l => l.Contains("protocol 2.0, keep-alive timeout 20 s, disconnect timeout 30 s, connection timeout 110 s", StringComparison.Ordinal));
        foreach (string transport in TransportNames)
        {
            Assert.Contains(cli.StdoutLines, l => l.TrimStart().StartsWith(transport, StringComparison.Ordinal) && l.Contains("no echo (the endpoint does not echo", StringComparison.Ordinal));
        }

        Assert.Equal("Every transport works.", cli.StdoutLines[^1]);
    }

    [Fact]
    public async Task A_server_with_WebSockets_off_is_diagnosed_and_the_exit_code_is_1()
    {
        await using var server = await TestServer.StartAsync(o => o.Transports = PersistentConnectionTransports.ServerSentEvents | PersistentConnectionTransports.LongPolling);

        var (exit, report, cli) = await ProbeJsonAsync(server.Url("/echo"));

        Assert.True(exit == 1, cli.Transcript());
        var ws = Transports(report)[0];
        Assert.Equal("notOffered", ws.GetProperty("status").GetString());
        Assert.Contains("TryWebSockets: false", ws.GetProperty("diagnosis").GetString(), StringComparison.Ordinal);
        Assert.All(Transports(report).Skip(1), t => Assert.Equal("ok", t.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_proxy_that_refuses_the_upgrade_is_diagnosed()
    {
        // What a proxy that strips Upgrade does: the request reaches the server as a plain GET, which refuses it.
        await using var server = await TestServer.StartAsync(configureApp: app => app.Use((context, next) =>
        {
            if (context.Request.Headers.Upgrade.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Task.CompletedTask;
            }

            return next(context);
        }));

        var (exit, report, cli) = await ProbeJsonAsync(server.Url("/echo"));

        Assert.True(exit == 1, cli.Transcript());
        var ws = Transports(report)[0];
        Assert.Equal("failed", ws.GetProperty("status").GetString());
        Assert.Contains("upgrade was refused (HTTP 400)", ws.GetProperty("diagnosis").GetString(), StringComparison.Ordinal);
        Assert.All(Transports(report).Skip(1), t => Assert.Equal("ok", t.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_proxy_that_buffers_the_event_stream_is_diagnosed()
    {
        await using var server = await TestServer.StartAsync(o => o.TransportConnectTimeout = TimeSpan.FromSeconds(1), configureApp: app => app.Use(BufferEventStreams));

        var (exit, report, cli) = await ProbeJsonAsync(server.Url("/echo"), "--timeout", "4");

        Assert.True(exit == 1, cli.Transcript());
        var sse = Transports(report)[1];
        Assert.Equal("failed", sse.GetProperty("status").GetString());
        Assert.Contains("buffers", sse.GetProperty("diagnosis").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", Transports(report)[0].GetProperty("status").GetString());
        Assert.Equal("ok", Transports(report)[2].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("http://127.0.0.1:1/echo", "--timeout", "0")]
    public async Task Bad_arguments_exit_1_with_one_line_on_stderr(params string[] args)
    {
        await using var cli = CliProcess.Start(output, ["probe", .. args]);

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.StartsWith("tether: ", cli.Stderr, StringComparison.Ordinal);
        Assert.Empty(cli.StdoutLines);
    }

    /// <summary>Holds back every byte of an event stream, headers included, until the response ends, as a buffering proxy does.</summary>
    private static async Task BufferEventStreams(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Query["transport"] != "serverSentEvents" || !context.Request.Path.Value!.EndsWith("/connect", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(original);
        }

        if (!context.RequestAborted.IsCancellationRequested)
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(original.Stream, context.RequestAborted);
        }
    }

    private async Task<(int Exit, JsonElement Report, CliProcess Cli)> ProbeJsonAsync(string url, params string[] extra)
    {
        var cli = CliProcess.Start(output, ["probe", url, "--json", .. extra]);
        int exit = await cli.WaitForExitAsync();
        await cli.DisposeAsync();
        using var document = JsonDocument.Parse(string.Join('\n', cli.StdoutLines));
        return (exit, document.RootElement.Clone(), cli);
    }

    private static JsonElement[] Transports(JsonElement report) => report.GetProperty("transports").EnumerateArray().ToArray();

    /// <summary>Takes messages and sends nothing back.</summary>
    private sealed class SilentConnection : PersistentConnection
    {
    }
}
