using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// Timeouts side by side, on a classic server with short timeouts (KeepAlive 2 s, so KeepAliveTimeout 4 s;
/// DisconnectTimeout 6 s): the same stall, and the same vanished server, once with the official client and once with
/// Tether.Client, must give the same events in the same order (ConnectionSlow, Reconnecting, Reconnected; Reconnecting,
/// Error(TimeoutException), Closed).
/// </summary>
public sealed class SideBySideTimeoutTests(ShortTimeoutsClassicServerFixture fixture, ITestOutputHelper output)
    : IClassFixture<ShortTimeoutsClassicServerFixture>
{
    /// <summary>
    /// Only the streaming transports: long polling has no keep-alive monitoring in either client. Same events, same
    /// order; two differences that are not compared (the same against Tether.Server, so they are the clients', not the
    /// server's): over Server-Sent Events the official client goes Reconnecting ~4 s after the keep-alive timeout,
    /// Tether.Client after its ReconnectDelay (2 s), as the classic algorithm says (drop the stream, wait ReconnectDelay,
    /// reconnect); and the official client raises Error (SocketException "Operation canceled") for the request its own
    /// monitor aborted, where Tether.Client raises no Error for a drop it caused on purpose (over WebSockets neither does).
    /// </summary>
    [Theory]
    [MemberData(nameof(TetherTransport.Streaming), MemberType = typeof(TetherTransport))]
    public async Task StallLooksTheSame(string transport)
    {
        // Both clients at once, each through its own proxy: the wait is the keep-alive timeout, not work.
        await using var officialProxy = FaultProxy.Start(fixture.Server.BaseUri);
        await using var tetherProxy = FaultProxy.Start(fixture.Server.BaseUri);
        var officialRun = SideBySideScenarios.StallAndResume(ClientUnderTest.OfficialKind, officialProxy, transport);
        var tetherRun = SideBySideScenarios.StallAndResume(ClientUnderTest.TetherKind, tetherProxy, transport);
        await Task.WhenAll(officialRun, tetherRun);
        var official = await officialRun;
        var tether = await tetherRun;
        output.WriteLine($"{official.Observed.Client} ({transport}): slow after {official.Slow.TotalSeconds:F2} s, reconnecting after {official.Reconnecting.TotalSeconds:F2} s; {official.Observed.Description}");
        output.WriteLine($"{tether.Observed.Client} ({transport}): slow after {tether.Slow.TotalSeconds:F2} s, reconnecting after {tether.Reconnecting.TotalSeconds:F2} s; {tether.Observed.Description}");

        Assert.Equal(official.Observed.Lifecycle, tether.Observed.Lifecycle);
        Assert.Equal(official.Observed.Messages, tether.Observed.Messages);
        Assert.Equal(SideBySideScenarios.StallLifecycle, tether.Observed.Lifecycle);
    }

    /// <summary>Both clients at once (each through its own proxy): the wait is the server's DisconnectTimeout, not work.</summary>
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task ServerVanishingLooksTheSame(string transport)
    {
        await using var officialProxy = FaultProxy.Start(fixture.Server.BaseUri);
        await using var tetherProxy = FaultProxy.Start(fixture.Server.BaseUri);
        var officialRun = SideBySideScenarios.ServerVanishes(ClientUnderTest.OfficialKind, officialProxy, transport);
        var tetherRun = SideBySideScenarios.ServerVanishes(ClientUnderTest.TetherKind, tetherProxy, transport);
        await Task.WhenAll(officialRun, tetherRun);
        var official = await officialRun;
        var tether = await tetherRun;
        output.WriteLine($"{official.Observed.Client} ({transport}): closed {official.ClosedAfter.TotalSeconds:F2} s after the cut; {official.Observed.Description}");
        output.WriteLine($"{tether.Observed.Client} ({transport}): closed {tether.ClosedAfter.TotalSeconds:F2} s after the cut; {tether.Observed.Description}");

        Assert.Equal(official.Observed.Lifecycle, tether.Observed.Lifecycle);
        // The official client's LastError is racy here: a reconnect attempt failing at the moment it gives up can
        // overwrite the TimeoutException with a SocketException. Both must have raised the TimeoutException, though.
        Assert.Contains("error:TimeoutException", official.Observed.Description, StringComparison.Ordinal);
        Assert.Equal(SideBySideScenarios.GiveUpLifecycle, tether.Observed.Lifecycle);
        Assert.Equal(nameof(TimeoutException), tether.LastErrorType);
    }
}
