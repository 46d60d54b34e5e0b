using System.Text.Json;
using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary><c>tether connect</c> for scripts and long runs: <c>--json</c> event lines, <c>--stats</c> counts, <c>--verbosity</c>.</summary>
public sealed class ProbeConnectOutputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("longPolling")]
    [InlineData("webSockets")]
    public async Task Json_prints_one_object_per_event_line(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var cli = CliProcess.Start(output, "connect", server.Url("/echo"), "--transport", transport, "--json");

        await cli.WaitForLineAsync(l => l.Contains("\"to\":\"Connected\"", StringComparison.Ordinal)).DefaultTimeout();
        await cli.WriteLineAsync("hi \"there\"");
        await cli.WaitForLineAsync(l => l.Contains("\"event\":\"received\"", StringComparison.Ordinal)).DefaultTimeout();
        cli.CloseInput();

        Assert.Equal(0, await cli.WaitForExitAsync());
        var events = cli.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.All(events, e => Assert.True(e.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UnixEpoch));
        Assert.Equal(["state", "state", "received", "state", "closed"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal(transport, events[1].GetProperty("transport").GetString());
        Assert.Equal("Connected", events[1].GetProperty("to").GetString());
        Assert.Equal("hi \"there\"", events[2].GetProperty("data").GetString());
        Assert.Equal("Disconnected", events[3].GetProperty("to").GetString());
    }

    [Fact]
    public async Task Stats_prints_the_counts_to_stderr_and_quiet_prints_only_the_messages()
    {
        await using var server = await TestServer.StartAsync();
        await using var cli = CliProcess.Start(output, "connect", server.Url("/echo"), "--transport", "longPolling", "--stats", "0.2", "--linger", "1", "--verbosity", "quiet");

        await cli.WriteLineAsync("one");
        await cli.WaitForLineAsync(l => l == "one").DefaultTimeout();
        cli.CloseInput();

        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Equal(["one"], cli.StdoutLines);
        Assert.Contains("tether: counts: longPolling Connected: sent 1, received 1, reconnects 0, errors 0", cli.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--stats", "-1")]
    [InlineData("--verbosity", "loud")]
    public async Task Bad_values_exit_1(string option, string value)
    {
        await using var cli = CliProcess.Start(output, "connect", "http://127.0.0.1:1/echo", option, value);

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.NotEmpty(cli.Stderr);
    }
}
