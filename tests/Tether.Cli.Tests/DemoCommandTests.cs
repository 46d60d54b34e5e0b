using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>End to end: the real <c>tether demo</c>, with no arguments, as a new user runs it.</summary>
public sealed class DemoCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_exchanges_echoes_and_a_broadcast_over_every_transport_and_exits_0()
    {
        await using var cli = CliProcess.Start(output, "demo");
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Empty(cli.Stderr);

        var lines = cli.StdoutLines;
        Assert.StartsWith("Tether demo: an embedded Tether server on http://127.0.0.1:", lines[0]);
        Assert.Matches(@"^Demo done in \d+\.\d s: 3 echoes and a broadcast over webSockets, serverSentEvents, longPolling, auto \(picked webSockets\)\.$", lines[^1]);

        foreach (var (transport, used) in new[] { ("webSockets", "webSockets"), ("serverSentEvents", "serverSentEvents"), ("longPolling", "longPolling"), ("auto", "webSockets") })
        {
            // The section of this transport: from its header to the next blank line.
            int start = lines.ToList().IndexOf("== " + transport);
            Assert.True(start > 0, $"no section for {transport}\n{cli.Transcript()}");
            var section = lines.Skip(start + 1).TakeWhile(l => l.Length > 0).ToList();
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
        }
    }
}
