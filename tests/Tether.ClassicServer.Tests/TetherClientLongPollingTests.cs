using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// Long polling against a classic server whose ConnectionTimeout (how long it holds a poll with nothing to send) is
/// 1 s: the server ends each idle poll with an empty answer, and Tether.Client just polls again, quietly.
/// </summary>
public sealed class TetherClientLongPollingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task IdlePollsEndedByTheServer_ArePolledAgainQuietly()
    {
        // The classic server checks ConnectionTimeout on its heartbeat, every half keep-alive (5 s by default): with
        // KeepAlive 2 s the idle polls end a second or so after they began.
        await using var server = await ClassicServerProcess.StartAsync(ShortTimeoutsClassicServerFixture.Options with { ConnectionTimeout = TimeSpan.FromSeconds(1) });
        output.WriteLine(await TetherScenarios.IdlePollsEndedByTheServerArePolledAgainQuietly(ServerUnderTest.Of(server)));
    }
}
