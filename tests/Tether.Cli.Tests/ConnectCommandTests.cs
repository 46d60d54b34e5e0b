using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>End to end: the real <c>tether connect</c> in a child process against a <see cref="TestServer"/>.</summary>
public sealed class ConnectCommandTests(ITestOutputHelper output)
{
    private const string Stamp = @"^\d\d:\d\d:\d\d\.\d{3} ";

    public static TheoryData<string, string> Transports => new()
    {
        { "webSockets", "webSockets" },
        { "serverSentEvents", "serverSentEvents" },
        { "longPolling", "longPolling" },
        { "auto", "webSockets" },
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Lines_from_stdin_come_back_as_messages_and_end_of_input_stops_with_exit_code_0(string transport, string expectedTransport)
    {
        var requests = new ConcurrentQueue<(string Path, string? Header, string? Flag, string? Name, string? Raw)>();
        await using var server = await TestServer.StartAsync(configureApp: app => app.Use((context, next) =>
        {
            var query = context.Request.Query;
            requests.Enqueue((context.Request.Path, context.Request.Headers["X-Tether-Test"], query["flag"], query["name"], query["raw"]));
            return next(context);
        }));
        await using var cli = CliProcess.Start(
            output, "connect", server.Url("/echo?flag=on"), "--transport", transport,
            "--header", "X-Tether-Test=yes", "--query", "name=a b", "--query", "raw=%41&other=1");

        string connecting = await cli.WaitForLineAsync(l => l.EndsWith(" state Disconnected -> Connecting", StringComparison.Ordinal)).DefaultTimeout();
        Assert.Matches(Stamp, connecting);
        await cli.WaitForLineAsync(l => l.EndsWith($" state Connecting -> Connected ({expectedTransport})", StringComparison.Ordinal)).DefaultTimeout();

        // Each line is one message, sent as is: quotes, non-ASCII and an empty line included.
        foreach (string line in new[] { "hello 1", "\"quoted\" \u2603", string.Empty, "{\"a\":1}" })
        {
            await cli.WriteLineAsync(line);
            string received = await cli.WaitForLineAsync(l => l.EndsWith(" received: " + line, StringComparison.Ordinal)).DefaultTimeout();
            Assert.Matches(Stamp, received);
        }

        cli.CloseInput();
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Empty(cli.Stderr);
        var lines = cli.StdoutLines;
        int disconnected = IndexOf(lines, " state Connected -> Disconnected");
        Assert.True(disconnected > IndexOf(lines, " received: {\"a\":1}"), cli.Transcript());
        Assert.True(IndexOf(lines, " closed") > disconnected, cli.Transcript());

        // The header, the URL's query string and --query are on every request, the WebSocket handshake included.
        Assert.Contains(requests, r => r.Path == "/echo/negotiate");
        Assert.Contains(requests, r => r.Path == "/echo/connect");
        Assert.All(requests, r => Assert.Equal(("yes", "on", "a b", "A"), (r.Header, r.Flag, r.Name, r.Raw)));
    }

    [Fact]
    public async Task Linger_prints_the_replies_to_lines_piped_all_at_once()
    {
        await using var server = await TestServer.StartAsync();
        await using var cli = CliProcess.Start(output, "connect", server.Url("/echo"), "--transport", "longPolling", "--linger", "5");
        await cli.WaitForLineAsync(l => l.EndsWith(" state Connecting -> Connected (longPolling)", StringComparison.Ordinal)).DefaultTimeout();

        // The input ends right after the lines, before any reply: --linger keeps the connection for them.
        await cli.WriteLineAsync("first");
        await cli.WriteLineAsync("second");
        cli.CloseInput();

        Assert.Equal(0, await cli.WaitForExitAsync());
        var lines = cli.StdoutLines;
        Assert.True(IndexOf(lines, " received: first") < IndexOf(lines, " received: second"), cli.Transcript());
        Assert.True(IndexOf(lines, " received: second") < IndexOf(lines, " closed"), cli.Transcript());
        Assert.Empty(cli.Stderr);
    }

    [Fact]
    public async Task Ctrl_c_stops_the_connection_and_exits_0()
    {
        await using var server = await TestServer.StartAsync();
        await using var cli = CliProcess.Start(output, "connect", server.Url("/echo"), "--transport", "webSockets");
        await cli.WaitForLineAsync(l => l.EndsWith(" state Connecting -> Connected (webSockets)", StringComparison.Ordinal)).DefaultTimeout();
        await cli.WriteLineAsync("before ctrl+c");
        await cli.WaitForLineAsync(l => l.EndsWith(" received: before ctrl+c", StringComparison.Ordinal)).DefaultTimeout();

        cli.Interrupt();
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Contains(cli.StdoutLines, l => l.EndsWith(" state Connected -> Disconnected", StringComparison.Ordinal));
        Assert.Contains(cli.StdoutLines, l => l.EndsWith(" closed", StringComparison.Ordinal));
        Assert.Empty(cli.Stderr);
    }

    [Fact]
    public async Task A_connection_that_gives_up_reconnecting_exits_1_with_the_reason()
    {
        var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(3);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        await using var cli = CliProcess.Start(output, "connect", server.Url("/echo"), "--transport", "webSockets");
        try
        {
            await cli.WaitForLineAsync(l => l.EndsWith(" state Connecting -> Connected (webSockets)", StringComparison.Ordinal)).DefaultTimeout();
        }
        finally
        {
            await server.DisposeAsync();
        }

        await cli.WaitForLineAsync(l => l.EndsWith(" reconnecting", StringComparison.Ordinal)).DefaultTimeout();
        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Contains(cli.StdoutLines, l => l.EndsWith(" state Reconnecting -> Disconnected", StringComparison.Ordinal));
        string error = Assert.Single(StderrLines(cli));
        Assert.StartsWith($"tether: the connection to {server.Url("/echo")} closed: ", error);
    }

    [Fact]
    public async Task An_unreachable_server_exits_1_with_one_error_line()
    {
        string url = $"http://127.0.0.1:{ClosedPort()}/echo";
        await using var cli = CliProcess.Start(output, "connect", url);
        Assert.Equal(1, await cli.WaitForExitAsync());
        string error = Assert.Single(StderrLines(cli));
        Assert.StartsWith($"tether: could not connect to {url}: ", error);
        Assert.Contains("refused", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(cli.StdoutLines, l => l.Contains("-> Connected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_path_that_is_not_a_persistent_connection_exits_1_with_the_status()
    {
        await using var server = await TestServer.StartAsync();
        await using var cli = CliProcess.Start(output, "connect", server.Url("/missing"), "--transport", "longPolling");
        Assert.Equal(1, await cli.WaitForExitAsync());
        string error = Assert.Single(StderrLines(cli));
        Assert.Equal($"tether: could not connect to {server.Url("/missing")}: HTTP 404 Not Found for {server.Url("/missing/negotiate")}", error);
    }

    [Theory]
    [InlineData("not-a-url", "tether: invalid URL 'not-a-url': expected an absolute http:// or https:// URL")]
    [InlineData("ftp://127.0.0.1/echo", "tether: invalid URL 'ftp://127.0.0.1/echo': expected an absolute http:// or https:// URL")]
    [InlineData("http://127.0.0.1/echo#top", "tether: invalid URL 'http://127.0.0.1/echo#top': a URL cannot have a fragment")]
    [InlineData("http://127.0.0.1/echo --transport carrierPigeon", "tether: unknown --transport 'carrierPigeon': expected auto, webSockets, serverSentEvents or longPolling")]
    [InlineData("http://127.0.0.1/echo --header NoValue", "tether: invalid --header 'NoValue': expected NAME=VALUE")]
    [InlineData("http://127.0.0.1/echo --header Bad\u0020Name=1", "tether: invalid --header 'Bad Name=1': 'Bad Name' is not a valid header name")]
    [InlineData("http://127.0.0.1/echo --query =1", "tether: invalid --query '=1': the name before '=' is empty")]
    [InlineData("http://127.0.0.1/echo --linger -1", "tether: --linger must be 0 or a positive number of seconds.")]
    public async Task Bad_arguments_exit_1_with_one_line_and_connect_nothing(string arguments, string expectedError)
    {
        // Split on the first spaces only: "Bad Name=1" stays one argument.
        string[] args = arguments.Split(' ', 3);
        await using var cli = CliProcess.Start(output, ["connect", .. args]);
        Assert.Equal(1, await cli.WaitForExitAsync());
        string error = Assert.Single(StderrLines(cli));
        Assert.StartsWith(expectedError, error);
        Assert.DoesNotContain(cli.StdoutLines, l => l.Contains(" state ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_url_is_a_usage_error()
    {
        await using var cli = CliProcess.Start(output, "connect");
        Assert.NotEqual(0, await cli.WaitForExitAsync());
        Assert.Contains("Required argument missing for command: 'connect'", cli.Stderr);
    }

    private static int IndexOf(IReadOnlyList<string> lines, string suffix)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].EndsWith(suffix, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string[] StderrLines(CliProcess cli) => cli.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    // A port nothing listens on: one the system just handed out and that was closed again.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
