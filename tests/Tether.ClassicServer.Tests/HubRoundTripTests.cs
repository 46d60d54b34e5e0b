using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// Hub invoke round trips of both clients over each transport against the classic server (printed, not asserted). Over
/// long polling every /send on a kept-alive connection waits for the client's delayed ACK on this Mono host (see
/// <see cref="ThroughputTests"/>), for both clients alike.
/// </summary>
public sealed class HubRoundTripTests(ClassicServerFixture fixture, ITestOutputHelper output) : IClassFixture<ClassicServerFixture>
{
    [Fact]
    public async Task InvokeRoundTrips_BothClients_EachTransport() =>
        output.WriteLine(await HubRoundTrips.MeasureAsync("classic 2.4.1 (Mono)", fixture.Server.BaseUri.ToString()));
}
