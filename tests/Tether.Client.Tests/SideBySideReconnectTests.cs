using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.Client.Tests;

/// <summary>
/// The shared side-by-side scenarios (tests/Tether.ClassicServer.Tests/Shared, run there against the classic
/// server) against Tether.Server: the same cut, the same stall and the same vanished server, driven once with the
/// official client 2.4.2 and once with Tether.Client, must show the same state changes and events in the same order and
/// the same received text.
/// (ClassicApiTests covers start, echo and stop side by side.)
/// </summary>
public sealed class SideBySideReconnectTests(ITestOutputHelper output)
{
    public static TheoryData<string> AllAndAuto => new()
    {
        ClientUnderTest.WebSockets, ClientUnderTest.ServerSentEvents, ClientUnderTest.LongPolling, ClientUnderTest.Auto,
    };

    public static TheoryData<string> Streaming => new() { ClientUnderTest.WebSockets, ClientUnderTest.ServerSentEvents };

    [Theory]
    [MemberData(nameof(AllAndAuto))]
    public async Task CutAndReconnectLooksTheSame(string transport)
    {
        await using var server = await TestServer.StartAsync();
        // Both clients at once, each through its own proxy and with its own group: the waits are reconnect delays.
        await using var officialProxy = FaultProxy.Start(server.BaseUri);
        await using var tetherProxy = FaultProxy.Start(server.BaseUri);
        var officialRun = SideBySideScenarios.CutAndReconnect(ClientUnderTest.OfficialKind, officialProxy, server.Url("/groups"), transport);
        var tetherRun = SideBySideScenarios.CutAndReconnect(ClientUnderTest.TetherKind, tetherProxy, server.Url("/groups"), transport);
        await Task.WhenAll(officialRun, tetherRun);
        var official = await officialRun;
        var tether = await tetherRun;
        output.WriteLine($"{official.Client} ({official.Transport}): {official.Description}");
        output.WriteLine($"{tether.Client} ({tether.Transport}): {tether.Description}");

        Assert.Equal(official.Transport, tether.Transport);
        Assert.Equal(official.Lifecycle, tether.Lifecycle);
        Assert.Equal(official.Messages, tether.Messages);
        Assert.Equal(SideBySideScenarios.CutAndReconnectLifecycle, tether.Lifecycle);
        Assert.Equal(SideBySideScenarios.CutAndReconnectMessages, tether.Messages);
    }

    /// <summary>KeepAlive 2 s (KeepAliveTimeout 4 s), as the classic server of Tether.ClassicServer.Tests' stall test.</summary>
    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task StallLooksTheSame(string transport)
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(2);
        });

        // Both clients at once, each through its own proxy: the wait is the keep-alive timeout, not work.
        await using var officialProxy = FaultProxy.Start(server.BaseUri);
        await using var tetherProxy = FaultProxy.Start(server.BaseUri);
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

    /// <summary>DisconnectTimeout 6 s; both clients at once (each through its own proxy): the wait is the timeout, not work.</summary>
    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task ServerVanishingLooksTheSame(string transport)
    {
        await using var server = await TestServer.StartAsync(ServerExtensions.ShortTimeouts);
        await using var officialProxy = FaultProxy.Start(server.BaseUri);
        await using var tetherProxy = FaultProxy.Start(server.BaseUri);
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
