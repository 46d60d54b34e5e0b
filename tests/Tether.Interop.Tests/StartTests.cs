using Xunit.Abstractions;
using ConnectionState = Microsoft.AspNet.SignalR.Client.ConnectionState;

namespace Tether.Interop.Tests;

/// <summary>The official client starts against Tether over every transport.</summary>
public sealed class StartTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task StartsConnected(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OfficialClient.StartAsync(server.Url("/events"), transport, output);

        Assert.Equal(ConnectionState.Connected, client.Connection.State);
        Assert.False(string.IsNullOrEmpty(client.ConnectionId));
        Assert.True(Guid.TryParse(client.ConnectionId, out _), $"ConnectionId '{client.ConnectionId}' is not a GUID.");
        Assert.False(string.IsNullOrEmpty(client.Connection.ConnectionToken));
        Assert.Equal(Transports.ExpectedName(transport), client.Connection.Transport.Name);

        // The server raised OnConnected for the id the client got (on /start, before Start completed).
        var connected = await server.Events.WaitFor(ConnectionEventKind.Connected, client.ConnectionId).DefaultTimeout();
        Assert.Equal(client.ConnectionId, connected.ConnectionId);

        // Start went Disconnected -> Connecting -> Connected, with no error, no fallback noise.
        Assert.Equal(
            ["Disconnected->Connecting", "Connecting->Connected"],
            client.Events.Where(e => e.Kind == ClientEventKind.StateChanged).Select(e => e.Detail));
        client.AssertNoTrouble();
        output.WriteLine($"[measure] start {transport}: {client.StartDuration.TotalMilliseconds:F1} ms");
    }
}
