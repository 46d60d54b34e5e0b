using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// Tether.Client through a fault proxy in front of the classic server (short timeouts): a cut mid-stream loses and
/// repeats nothing, and silence (a stalled link) gives ConnectionSlow, then Reconnecting, then Reconnected once the
/// link flows again. (Mono's HttpListener answers 400 unless the Host is 127.0.0.1; the proxy's port is fine.)
/// </summary>
public sealed class TetherClientFaultTests(ShortTimeoutsClassicServerFixture fixture, ITestOutputHelper output)
    : IClassFixture<ShortTimeoutsClassicServerFixture>
{
    private ServerUnderTest Server => ServerUnderTest.Of(fixture.Server);

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task CutMidStream_NothingLostOrDuplicated(string transport) =>
        output.WriteLine($"{transport}: {await TetherScenarios.CutMidStreamNothingLostOrDuplicated(Server, transport)}");

    [Theory]
    [MemberData(nameof(TetherTransport.Streaming), MemberType = typeof(TetherTransport))]
    public async Task Stall_ConnectionSlowThenReconnecting_ThenReconnected(string transport) =>
        output.WriteLine($"{transport}: {await TetherScenarios.StallSlowThenReconnectingThenReconnected(Server, transport)}");
}

/// <summary>
/// The server vanishes (every connection cut, new ones refused): after DisconnectTimeout (6 s) of reconnecting,
/// Tether.Client raises Error with a TimeoutException, then Closed, once; meanwhile a connection that was stopped
/// shows, on the server, exactly one OnDisconnected(stopCalled: true) even after the server's own timeout ran.
/// </summary>
public sealed class TetherClientGiveUpTests(ShortTimeoutsClassicServerFixture fixture, ITestOutputHelper output)
    : IClassFixture<ShortTimeoutsClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task ServerVanishes_ErrorTimeoutThenClosed_AfterDisconnectTimeout(string transport) =>
        output.WriteLine($"{transport}: {await TetherScenarios.ServerVanishesErrorTimeoutThenClosed(ServerUnderTest.Of(fixture.Server), transport)}");
}
