using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>End to end: the real <c>tether demo</c>, with no arguments, as a new user runs it.</summary>
public sealed class DemoCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_exchanges_echoes_and_a_broadcast_and_calls_the_hub_over_every_transport_and_exits_0()
    {
        await using var cli = CliProcess.Start(output, "demo");
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Empty(cli.Stderr);

        var lines = cli.StdoutLines;
        Assert.StartsWith("Tether demo: an embedded Tether server on http://127.0.0.1:", lines[0]);
        Assert.Matches(@"^Demo done in \d+\.\d s: 3 echoes and a broadcast, then the chat hub's calls, results, group and error, over webSockets, serverSentEvents, longPolling, auto \(picked webSockets\)\.$", lines[^1]);

        foreach (var (transport, used) in new[] { ("webSockets", "webSockets"), ("serverSentEvents", "serverSentEvents"), ("longPolling", "longPolling"), ("auto", "webSockets") })
        {
            var section = Section(cli, "== " + transport);
            string transcript = string.Join('\n', section);

            // The client's events, in order; the server's lines are interleaved with them.
            string[] expected =
            [
                " client state Disconnected -> Connecting",
                $" client state Connecting -> Connected ({used})",
                $" client received: echo 1 of 3 over {used}",
                $" client received: echo 2 of 3 over {used}",
                $" client received: echo 3 of 3 over {used}",
                $" client received: broadcast from the server to every /echo connection, over {used}",
                " client state Connected -> Disconnected",
                " client closed",
            ];
            var clientLines = section.Where(l => l.Contains(" client state ", StringComparison.Ordinal)
                || l.Contains(" client received: ", StringComparison.Ordinal) || l.EndsWith(" client closed", StringComparison.Ordinal)).ToList();
            Assert.Equal(expected.Length, clientLines.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(clientLines[i].EndsWith(expected[i], StringComparison.Ordinal), $"expected ...{expected[i]}\n{transcript}");
                Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} ", clientLines[i]);
            }

            // The server saw the connection over the same transport, and each message.
            Assert.Contains(section, l => l.Contains(" /echo connected ", StringComparison.Ordinal) && l.EndsWith($" via {used}", StringComparison.Ordinal));
            Assert.Equal(3, section.Count(l => l.Contains(" /echo message from ", StringComparison.Ordinal)));
            if (transport == "auto")
            {
                Assert.Contains(section, l => l.EndsWith(" client auto picked webSockets", StringComparison.Ordinal));
            }

            AssertHubSection(Section(cli, $"== {transport}, hub chat"), used);
        }
    }

    /// <summary>The hub part over one transport: every call, its result as the client saw it, and the server's side.</summary>
    private static void AssertHubSection(List<string> section, string used)
    {
        string transcript = string.Join('\n', section);
        string[] expected =
        [
            " hub client state Disconnected -> Connecting",
            $" hub client state Connecting -> Connected ({used})",
            $" hub client invokes chat.Echo[\"hello hub over {used}\"]",
            $" hub client chat.Echo returned \"hello hub over {used}\"",
            " hub client invokes chat.Add[19,23]",
            " hub client chat.Add returned 42",
            $" hub client called by the server: addMessage[\"demo\",\"hello everyone over {used}\"]",
            $" hub client called by the server: addMessage[\"demo\",\"hello demo group over {used}\"]",
            " hub client chat.LeaveGroup returned nothing",
            " hub client chat.Fail failed with hub error 'failing on purpose', data {\"code\":42}",
            " hub client state Connected -> Disconnected",
        ];
        var clientLines = section.Where(l => expected.Any(e => l.EndsWith(e, StringComparison.Ordinal))).ToList();
        Assert.True(expected.Length == clientLines.Count, $"expected every line of\n{string.Join('\n', expected)}\nin\n{transcript}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(clientLines[i].EndsWith(expected[i], StringComparison.Ordinal), $"expected ...{expected[i]}\n{transcript}");
        }

        // The server saw the hub connection over the same transport, and each call from it.
        string connected = Assert.Single(section, l => l.Contains(" /signalr chat connected ", StringComparison.Ordinal));
        Assert.EndsWith($" via {used}", connected);
        string id = connected.Split(' ')[4];
        foreach (string call in new[] { $"Echo(hello hub over {used})", "Add(19, 23)", "JoinGroup(demo group)", "LeaveGroup(demo group)", "Fail(failing on purpose): throws HubException" })
        {
            Assert.Contains(section, l => l.EndsWith($" /signalr chat.{call} from {id}", StringComparison.Ordinal));
        }
    }

    /// <summary>The lines of one section: from its header to the next blank line.</summary>
    private static List<string> Section(CliProcess cli, string header)
    {
        int start = cli.StdoutLines.ToList().IndexOf(header);
        Assert.True(start > 0, $"no section '{header}'\n{cli.Transcript()}");
        return cli.StdoutLines.Skip(start + 1).TakeWhile(l => l.Length > 0).ToList();
    }
}
