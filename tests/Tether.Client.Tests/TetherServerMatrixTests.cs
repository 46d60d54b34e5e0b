using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.Client.Tests;

/// <summary>
/// Tether.Client's shared scenarios (tests/Tether.ClassicServer.Tests/Shared/TetherScenarios.cs) against Tether.Server,
/// the same code Tether.ClassicServer.Tests' TetherClient*Tests run against the classic server: start, 1000 echoes,
/// large messages, Stop, restart, broadcast to three clients, groups, over each transport (and auto).
/// </summary>
public sealed class TetherServerMatrixTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    private ServerUnderTest Server => ServerUnderTest.Of(_server);

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public Task Start_StatesIdentityAndTransport(string transport) => TetherScenarios.StartStatesIdentityAndTransport(Server, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task Echo1000InOrder(string transport)
    {
        var elapsed = await TetherScenarios.Echo1000InOrder(Server, transport);
        output.WriteLine($"1000 queued echoes over {transport} in {elapsed.TotalMilliseconds:F0} ms");
    }

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task Stop_RaisesOnDisconnectedStopCalledOnce_AndReturnsFast(string transport)
    {
        var elapsed = await TetherScenarios.StopRaisesOnDisconnectedStopCalledOnce(Server, transport);
        output.WriteLine($"Stop() over {transport} returned after {elapsed.TotalMilliseconds:F0} ms");
    }

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public Task LargeMessages_EchoedWhole(string transport) => TetherScenarios.LargeMessagesEchoedWhole(Server, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task StartStopStartAgain(string transport) => TetherScenarios.StartStopStartAgain(Server, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public Task BroadcastToThree_EachReceivesEveryMessageOnce(string transport) => TetherScenarios.BroadcastToThree(Server, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public Task Groups_JoinLeaveToAndOthers(string transport) => TetherScenarios.GroupsJoinLeaveToOthers(Server, transport);
}

/// <summary>
/// The shared fault scenarios against Tether.Server with the short timeouts of the classic server they also run
/// against (KeepAlive 2 s, so KeepAliveTimeout 4 s; DisconnectTimeout 6 s): a cut mid-stream, a stall, a vanished server.
/// </summary>
public sealed class TetherServerFaultMatrixTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    private ServerUnderTest Server => ServerUnderTest.Of(_server);

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(o =>
    {
        o.DisconnectTimeout = TimeSpan.FromSeconds(6);
        o.KeepAlive = TimeSpan.FromSeconds(2);
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task CutMidStream_NothingLostOrDuplicated(string transport) =>
        output.WriteLine($"{transport}: {await TetherScenarios.CutMidStreamNothingLostOrDuplicated(Server, transport)}");

    [Theory]
    [MemberData(nameof(TetherTransport.Streaming), MemberType = typeof(TetherTransport))]
    public async Task Stall_ConnectionSlowThenReconnecting_ThenReconnected(string transport) =>
        output.WriteLine($"{transport}: {await TetherScenarios.StallSlowThenReconnectingThenReconnected(Server, transport)}");

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task ServerVanishes_ErrorTimeoutThenClosed_AfterDisconnectTimeout(string transport) =>
        output.WriteLine($"{transport}: {await TetherScenarios.ServerVanishesErrorTimeoutThenClosed(Server, transport)}");

    [Fact]
    public async Task LongPolling_IdlePollsEndedByTheServer_ArePolledAgainQuietly()
    {
        // As the classic server, Tether.Server checks ConnectionTimeout on its heartbeat (every half keep-alive): with
        // KeepAlive 2 s the idle polls end a second or so after they began.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(2);
            o.ConnectionTimeout = TimeSpan.FromSeconds(1);
        });
        output.WriteLine(await TetherScenarios.IdlePollsEndedByTheServerArePolledAgainQuietly(ServerUnderTest.Of(server)));
    }
}
