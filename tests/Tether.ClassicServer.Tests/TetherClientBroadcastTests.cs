using Tether.Shared;

namespace Tether.ClassicServer.Tests;

/// <summary>Broadcasts through the classic server reach every Tether.Client connection (three) exactly once.</summary>
public sealed class TetherClientBroadcastTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public Task EveryClientReceivesEveryBroadcastOnce(string transport) =>
        TetherScenarios.BroadcastToThree(ServerUnderTest.Of(fixture.Server), transport);
}
