using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// The hub scenarios driven once with the official HubConnection 2.4.2 and once with Tether.Client's, one after the
/// other (they share the hub's broadcasts), against the same classic server: the same results, progress, state, client
/// calls, errors and lifecycle.
/// </summary>
public sealed class HubSideBySideTests(ClassicServerFixture fixture, ITestOutputHelper output) : IClassFixture<ClassicServerFixture>
{
    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task EverythingOnceLooksTheSame(string transport)
    {
        var transcripts = await HubScenarios.WithBothClients(
            async kind =>
            {
                await using var client = HubClientUnderTest.Create(kind, fixture.Server.BaseUri.ToString());
                return await HubScenarios.EverythingOnce(client, transport);
            },
            output.WriteLine);

        Assert.Equal(HubScenarios.EverythingOnceTranscript, transcripts[ClientUnderTest.OfficialKind]);
        Assert.Equal(transcripts[ClientUnderTest.OfficialKind], transcripts[ClientUnderTest.TetherKind]);
    }

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task CutLooksTheSame(string transport)
    {
        var transcripts = await HubScenarios.WithBothClients(
            async kind =>
            {
                await using var proxy = FaultProxy.Start(fixture.Server.BaseUri);
                await using var client = HubClientUnderTest.Create(kind, proxy.BaseUri.ToString());
                return await HubScenarios.CutFailsPendingKeepsCallbacks(client, proxy, transport);
            },
            output.WriteLine);

        Assert.Equal(HubScenarios.CutTranscript(transport), transcripts[ClientUnderTest.OfficialKind]);
        Assert.Equal(transcripts[ClientUnderTest.OfficialKind], transcripts[ClientUnderTest.TetherKind]);
    }
}
