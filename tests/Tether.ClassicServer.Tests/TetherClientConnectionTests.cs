using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// Tether.Client against the unmodified classic server (Microsoft.AspNet.SignalR.Core 2.4.1 on Mono): start over each
/// transport and auto, 1000 echoes in order, large messages, Stop ending in the server's OnDisconnected(stopCalled:
/// true) once, and a restart. The scenarios are shared (Shared/TetherScenarios.cs): Tether.Client.Tests runs them
/// against Tether.Server.
/// </summary>
public sealed class TetherClientConnectionTests(ClassicServerFixture fixture, ITestOutputHelper output) : IClassFixture<ClassicServerFixture>
{
    private ServerUnderTest Server => ServerUnderTest.Of(fixture.Server);

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
}
