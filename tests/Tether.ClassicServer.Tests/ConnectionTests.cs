namespace Tether.ClassicServer.Tests;

/// <summary>The official client starts against the classic server over each transport, and echoes come back in order.</summary>
public sealed class ConnectionTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    private ClassicServerProcess Server => fixture.Server;

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task StartsOverTheRequestedTransport(string transport)
    {
        await using var client = await OfficialClient.StartAsync(Server.Url("/echo"), transport);

        Assert.Equal(Microsoft.AspNet.SignalR.Client.ConnectionState.Connected, client.Connection.State);
        Assert.Equal(transport, client.Connection.Transport.Name);
        Assert.True(Guid.TryParse(client.ConnectionId, out _), client.ConnectionId);
        Assert.Equal(["Disconnected->Connecting", "Connecting->Connected"], client.Events);
    }

    /// <summary>The host advertises WebSockets (negotiate's TryWebSockets), so the automatic transport takes it.</summary>
    [Fact]
    public async Task AutoTransportPicksWebSockets()
    {
        await using var client = await OfficialClient.StartAsync(Server.Url("/echo"), "auto");

        Assert.Equal(Transports.WebSockets, client.Connection.Transport.Name);
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task Echoes100MessagesInOrder(string transport)
    {
        await using var client = await OfficialClient.StartAsync(Server.Url("/echo"), transport);

        string[] expected = [.. Enumerable.Range(0, 100).Select(Payload)];
        foreach (string message in expected)
        {
            // One at a time: HTTP transports post each message separately, so only sequential sends have an order.
            await client.Send(message).DefaultTimeout();
        }

        await client.WaitForMessages(expected.Length).DefaultTimeout();
        Assert.Equal(expected, client.Messages);
        client.AssertNoTrouble();
    }

    /// <summary>Mostly plain text; every tenth payload carries what form and JSON encoding must get right.</summary>
    internal static string Payload(int i) => (i % 10) switch
    {
        3 => $"{i}: a+b=c&d=%20 100% \"quoted\" back\\slash",
        7 => $"{i}: héllo wörld ✓ 😀 <tag> 'single' \t tab",
        9 => $"{{\"json\":{i},\"looks\":[\"like\",\"an\",\"object\"]}}",
        _ => $"message-{i:D3}",
    };
}
