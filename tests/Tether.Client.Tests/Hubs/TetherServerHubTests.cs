using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.Client.Tests.Hubs;

/// <summary>
/// The hub scenarios of Tether.ClassicServer.Tests against Tether.Server's hubs: Tether.Client's HubConnection over
/// each transport, and side by side with the official HubConnection 2.4.2 (the same transcript).
/// </summary>
public sealed class TetherServerHubTests(HubServer server, ITestOutputHelper output) : IClassFixture<HubServer>
{
    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task ResultsCallbacksProgressStateGroupsAndErrors_SameAsTheOfficialClient(string transport)
    {
        var transcripts = await HubScenarios.WithBothClients(
            async kind =>
            {
                await using var client = HubClientUnderTest.Create(kind, server.BaseUri.ToString());
                return await HubScenarios.EverythingOnce(client, transport);
            },
            output.WriteLine);

        Assert.Equal(HubScenarios.EverythingOnceTranscript, transcripts[ClientUnderTest.TetherKind]);
        Assert.Equal(transcripts[ClientUnderTest.OfficialKind], transcripts[ClientUnderTest.TetherKind]);
    }

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task CutFailsPendingInvocationAndKeepsCallbacks_SameAsTheOfficialClient(string transport)
    {
        var transcripts = await HubScenarios.WithBothClients(
            async kind =>
            {
                await using var proxy = FaultProxy.Start(server.BaseUri);
                await using var client = HubClientUnderTest.Create(kind, proxy.BaseUri.ToString());
                return await HubScenarios.CutFailsPendingKeepsCallbacks(client, proxy, transport);
            },
            output.WriteLine);

        Assert.Equal(HubScenarios.CutTranscript(transport), transcripts[ClientUnderTest.TetherKind]);
        Assert.Equal(transcripts[ClientUnderTest.OfficialKind], transcripts[ClientUnderTest.TetherKind]);
    }

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task HandlersMayAwaitInvocations(string transport) => HubBeyondClassicScenarios.HandlersMayAwaitInvocations(server.BaseUri.ToString(), transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task FailingHandlersAreReportedAndOthersRun(string transport) =>
        HubBeyondClassicScenarios.FailingHandlersAreReportedAndOthersRun(server.BaseUri.ToString(), transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task InvokeAsyncIsCancellable(string transport) => HubBeyondClassicScenarios.InvokeAsyncIsCancellable(server.BaseUri.ToString(), transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task JsonTypeInfoCallsAndAsyncStream(string transport) => HubBeyondClassicScenarios.JsonTypeInfoCallsAndAsyncStream(server.BaseUri.ToString(), transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task HeldWhileReconnectingOnlyWhenAskedTo(string transport)
    {
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await HubBeyondClassicScenarios.HeldWhileReconnectingOnlyWhenAskedTo(proxy, transport);
    }
}
