using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.Client.Tests.Hubs;

/// <summary>Hub invoke round trips of both clients over each transport against Tether.Server's hubs (printed, not asserted).</summary>
public sealed class HubRoundTripTests(HubServer server, ITestOutputHelper output) : IClassFixture<HubServer>
{
    [Fact]
    public async Task InvokeRoundTrips_BothClients_EachTransport() =>
        output.WriteLine(await HubRoundTrips.MeasureAsync("Tether.Server", server.BaseUri.ToString()));
}
