using Tether.Shared;

namespace Tether.ClassicServer.Tests;

/// <summary>Group membership and group sends on the classic server's <c>/groups</c>, driven by Tether.Client.</summary>
public sealed class TetherClientGroupsTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public Task JoinLeaveToAndOthers(string transport) =>
        TetherScenarios.GroupsJoinLeaveToOthers(ServerUnderTest.Of(fixture.Server), transport);
}
