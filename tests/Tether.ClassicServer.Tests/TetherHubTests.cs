using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>Tether.Client's HubConnection against the official classic server's <c>chat</c> hub, over each transport.</summary>
public sealed class TetherHubTests(ClassicServerFixture fixture, ITestOutputHelper output) : IClassFixture<ClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task ResultsCallbacksProgressStateGroupsAndErrors(string transport)
    {
        await using var client = HubClientUnderTest.Create(ClientUnderTest.TetherKind, fixture.Server.BaseUri.ToString());
        IReadOnlyList<string> transcript = await HubScenarios.EverythingOnce(client, transport);
        output.WriteLine(string.Join(Environment.NewLine, transcript));
        Assert.Equal(HubScenarios.EverythingOnceTranscript, transcript);
    }

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task CutFailsPendingInvocationAndKeepsCallbacks(string transport)
    {
        await using var proxy = FaultProxy.Start(fixture.Server.BaseUri);
        await using var client = HubClientUnderTest.Create(ClientUnderTest.TetherKind, proxy.BaseUri.ToString());
        IReadOnlyList<string> transcript = await HubScenarios.CutFailsPendingKeepsCallbacks(client, proxy, transport);
        output.WriteLine(string.Join(Environment.NewLine, transcript));
        Assert.Equal(HubScenarios.CutTranscript(transport), transcript);
    }
}
