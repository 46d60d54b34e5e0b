using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>End to end: the real <c>tether serve</c> in a child process, driven over HTTP and WebSockets.</summary>
public sealed class ServeCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serve_echoes_over_long_polling_prints_events_and_stops_on_ctrl_c()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "http://127.0.0.1:0");
        var baseUri = await cli.WaitForListeningAsync();
        Assert.NotEqual(0, baseUri.Port);
        using var http = new HttpClient { BaseAddress = baseUri };

        var negotiation = await RawClient.NegotiateAsync(http, "echo");
        Assert.Equal("2.0", negotiation.GetProperty("ProtocolVersion").GetString());

        using var client = await RawClient.ConnectAsync(http, "echo", "longPolling");
        string id = client.ConnectionId;
        await cli.WaitForLineAsync(l => l.EndsWith($" /echo connected {id} via longPolling", StringComparison.Ordinal)).DefaultTimeout();

        // The echo is exact, quotes and non-ASCII included; the console shows it on one line.
        const string data = "hello \"tether\" \u2603";
        var received = client.ReceiveAsync();
        await client.SendAsync(data);
        Assert.Equal(data, await received.DefaultTimeout());
        await cli.WaitForLineAsync(l => l.EndsWith($" /echo message from {id}: {data}", StringComparison.Ordinal)).DefaultTimeout();

        // A long message comes back whole but is cut on the console.
        string longData = new string('x', 500) + "\nend";
        received = client.ReceiveAsync();
        await client.SendAsync(longData);
        Assert.Equal(longData, await received.DefaultTimeout());
        string line = await cli.WaitForLineAsync(l => l.Contains($"/echo message from {id}: xxx", StringComparison.Ordinal)).DefaultTimeout();
        Assert.EndsWith("... (504 chars)", line);
        Assert.True(line.Length < 300, line);

        await client.AbortAsync();
        await cli.WaitForLineAsync(l => l.EndsWith($" /echo disconnected {id} via longPolling (stopCalled: true)", StringComparison.Ordinal)).DefaultTimeout();

        cli.Interrupt();
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Contains(cli.StdoutLines, l => l.EndsWith(" stopped", StringComparison.Ordinal));
        Assert.Empty(cli.Stderr);
    }

    [Fact]
    public async Task Serve_broadcasts_to_every_connection_across_transports_and_stops_on_sigterm()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "http://127.0.0.1:0", "--keep-alive", "2", "--disconnect-timeout", "10");
        var baseUri = await cli.WaitForListeningAsync();
        await cli.WaitForLineAsync(l => l.StartsWith("Options: keep-alive 2 s, disconnect timeout 10 s", StringComparison.Ordinal)).DefaultTimeout();
        using var http = new HttpClient { BaseAddress = baseUri };

        using var webSocket = await RawClient.ConnectAsync(http, "broadcast", "webSockets");
        using var longPolling = await RawClient.ConnectAsync(http, "broadcast", "longPolling");
        await cli.WaitForLineAsync(l => l.EndsWith($" /broadcast connected {webSocket.ConnectionId} via webSockets", StringComparison.Ordinal)).DefaultTimeout();
        await cli.WaitForLineAsync(l => l.EndsWith($" /broadcast connected {longPolling.ConnectionId} via longPolling", StringComparison.Ordinal)).DefaultTimeout();

        var polled = longPolling.ReceiveAsync();
        await webSocket.SendAsync("hello everyone");
        Assert.Equal("hello everyone", await webSocket.ReceiveAsync().DefaultTimeout());
        Assert.Equal("hello everyone", await polled.DefaultTimeout());
        await cli.WaitForLineAsync(l => l.EndsWith($" /broadcast message from {webSocket.ConnectionId}: hello everyone", StringComparison.Ordinal)).DefaultTimeout();

        await webSocket.AbortAsync();
        await longPolling.AbortAsync();
        await cli.WaitForLineAsync(l => l.EndsWith($" /broadcast disconnected {webSocket.ConnectionId} via webSockets (stopCalled: true)", StringComparison.Ordinal)).DefaultTimeout();
        await cli.WaitForLineAsync(l => l.EndsWith($" /broadcast disconnected {longPolling.ConnectionId} via longPolling (stopCalled: true)", StringComparison.Ordinal)).DefaultTimeout();

        cli.Terminate();
        Assert.Equal(0, await cli.WaitForExitAsync());
    }

    [Fact]
    public async Task Unknown_option_exits_non_zero_with_a_message()
    {
        await using var cli = CliProcess.Start(output, "serve", "--no-such-option");
        Assert.NotEqual(0, await cli.WaitForExitAsync());
        Assert.Contains("--no-such-option", cli.Stderr);
    }

    [Fact]
    public async Task Bad_urls_value_exits_non_zero_with_one_line()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "127.0.0.1:5000");
        Assert.Equal(1, await cli.WaitForExitAsync());
        string error = Assert.Single(cli.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("tether: invalid --urls value '127.0.0.1:5000'", error);
        Assert.DoesNotContain(cli.StdoutLines, l => l.StartsWith("Listening on ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keep_alive_longer_than_a_third_of_the_disconnect_timeout_is_refused()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "http://127.0.0.1:0", "--keep-alive", "5", "--disconnect-timeout", "9");
        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Contains("--keep-alive (5 s) must be at most a third of --disconnect-timeout (9 s)", cli.Stderr);
    }

    [Fact]
    public async Task Keep_alive_is_checked_against_the_default_disconnect_timeout()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "http://127.0.0.1:0", "--keep-alive", "20");
        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Contains("--keep-alive (20 s) must be at most a third of --disconnect-timeout (30 s)", cli.Stderr);
    }
}
