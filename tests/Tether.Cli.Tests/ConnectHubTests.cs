using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Cli.Commands;
using Tether.Server;
using Tether.Server.Hubs;
using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether connect URL --hub NAME</c>, the real command in a child process against a Tether.Server hub over each
/// transport: lines invoke hub methods, and results, progress, client calls and hub errors are printed; and the line
/// syntax (METHOD followed by JSON arguments).
/// </summary>
public sealed class ConnectHubTests(ITestOutputHelper output)
{
    public static TheoryData<string> Transports => new() { "webSockets", "serverSentEvents", "longPolling", "auto" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Lines_invoke_hub_methods_and_results_progress_and_client_calls_are_printed(string transport)
    {
        await using var server = await HubHost.StartAsync([typeof(CliChatHub)]);
        await using var cli = CliProcess.Start(output, "connect", server.Url("/signalr"), "--hub", "chat", "--transport", transport);
        await cli.WaitForLineAsync(l => l.Contains(" state Connecting -> Connected (", StringComparison.Ordinal)).DefaultTimeout();

        (string Line, string Expected)[] exchanges =
        [
            ("Echo \"hi there\"", " Echo returned: \"hi there\""),
            ("Add 2 3", " Add returned: 5"),
            ("Send \"peer\" \"hello\"", " call chat.addMessage(\"peer\", \"hello\")"),
            ("Fail \"boom\"", " Fail failed: HubException: boom (data: {\"code\":42})"),
            ("NoSuchMethod", " NoSuchMethod failed: "),
        ];
        foreach (var (line, expected) in exchanges)
        {
            await cli.WriteLineAsync(line);
            await cli.WaitForLineAsync(l => l.Contains(expected, StringComparison.Ordinal)).DefaultTimeout();
        }

        Assert.Contains(cli.StdoutLines, l => l.EndsWith(" Send completed", StringComparison.Ordinal));

        // Steps holds its result until the test has seen every progress report, then the gate lets it answer.
        await cli.WriteLineAsync("Steps 2");
        await cli.WaitForLineAsync(l => l.EndsWith(" Steps progress: 2", StringComparison.Ordinal)).DefaultTimeout();
        server.Services.GetRequiredService<ProgressGate>().Opened.TrySetResult();
        await cli.WaitForLineAsync(l => l.EndsWith(" Steps returned: \"done\"", StringComparison.Ordinal)).DefaultTimeout();
        List<string> lines = [.. cli.StdoutLines];
        int first = lines.FindIndex(l => l.EndsWith(" Steps progress: 1", StringComparison.Ordinal));
        int second = lines.FindIndex(l => l.EndsWith(" Steps progress: 2", StringComparison.Ordinal));
        int result = lines.FindIndex(l => l.EndsWith(" Steps returned: \"done\"", StringComparison.Ordinal));
        Assert.True(first >= 0 && first < second && second < result, cli.Transcript());

        // A line that does not parse is reported on stderr; the next one still works.
        await cli.WriteLineAsync("Add 2 three");
        await cli.WriteLineAsync("Add 40 2");
        await cli.WaitForLineAsync(l => l.EndsWith(" Add returned: 42", StringComparison.Ordinal)).DefaultTimeout();
        cli.CloseInput();
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Contains("invalid arguments in 'Add 2 three'", cli.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(cli.StdoutLines, l => l.Contains(" received: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Add 2 3", "Add", "[2,3]")]
    [InlineData("  Echo   \"a b\"  ", "Echo", "[\"a b\"]")]
    [InlineData("Send {\"x\":[1,null]} true null", "Send", "[{\"x\":[1,null]},true,null]")]
    [InlineData("Ping", "Ping", "[]")]
    public void A_line_is_a_method_and_JSON_arguments(string line, string method, string arguments)
    {
        Assert.True(ConnectHubMode.TryParseLine(line, out string? parsed, out var args, out string? error), error);
        Assert.Equal(method, parsed);
        Assert.Equal(arguments, new System.Text.Json.Nodes.JsonArray([.. args]).ToJsonString());
    }

    [Theory]
    [InlineData("Add 2 three")]
    [InlineData("\"Echo\" 1")]
    [InlineData("Echo {\"open\":")]
    public void A_line_that_is_not_an_invocation_is_refused_with_the_syntax(string line)
    {
        Assert.False(ConnectHubMode.TryParseLine(line, out _, out _, out string? error));
        Assert.Contains("JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_hub_name_is_refused_with_exit_code_1()
    {
        await using var cli = CliProcess.Start(output, "connect", "http://127.0.0.1:1/signalr", "--hub", " ");
        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Contains("invalid --hub", cli.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>The hub <c>tether connect --hub chat</c> talks to in <see cref="ConnectHubTests"/>.</summary>
[HubName("chat")]
public sealed class CliChatHub(ProgressGate gate) : Hub
{
    public string Echo(string message) => message;

    public int Add(int a, int b) => a + b;

    public void Send(string name, string message) => Clients.All.addMessage(name, message);

    public void Fail(string message) => throw new HubException(message, new { code = 42 });

    /// <summary>
    /// Reports 1..count as progress, then answers once the test opens the gate: progress and the result travel
    /// different ways, so the test opens it only after it has seen every report.
    /// </summary>
    public async Task<string> Steps(int count, IProgress<int> progress)
    {
        for (int i = 1; i <= count; i++)
        {
            progress.Report(i);
        }

        await gate.Opened.Task;
        return "done";
    }
}
