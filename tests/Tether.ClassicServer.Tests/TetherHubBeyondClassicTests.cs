using Tether.Shared;

namespace Tether.ClassicServer.Tests;

/// <summary>Tether.Client's HubConnection beyond the classic client, against the official classic server's chat hub.</summary>
public sealed class TetherHubBeyondClassicTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    private string BaseUrl => fixture.Server.BaseUri.ToString();

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task HandlersMayAwaitInvocations(string transport) => HubBeyondClassicScenarios.HandlersMayAwaitInvocations(BaseUrl, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task FailingHandlersAreReportedAndOthersRun(string transport) => HubBeyondClassicScenarios.FailingHandlersAreReportedAndOthersRun(BaseUrl, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task InvokeAsyncIsCancellable(string transport) => HubBeyondClassicScenarios.InvokeAsyncIsCancellable(BaseUrl, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public Task JsonTypeInfoCallsAndAsyncStream(string transport) => HubBeyondClassicScenarios.JsonTypeInfoCallsAndAsyncStream(BaseUrl, transport);

    [Theory]
    [MemberData(nameof(TetherTransport.Each), MemberType = typeof(TetherTransport))]
    public async Task HeldWhileReconnectingOnlyWhenAskedTo(string transport)
    {
        await using var proxy = FaultProxy.Start(fixture.Server.BaseUri);
        await HubBeyondClassicScenarios.HeldWhileReconnectingOnlyWhenAskedTo(proxy, transport);
    }
}
