using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Bounds;

/// <summary>
/// Once <c>Groups.Remove</c> has completed, no later message of that group reaches the connection, on any transport,
/// even when the removal and the group's messages are read in one batch.
/// </summary>
public sealed class GroupRemovalTests
{
    private const int Rounds = 25;

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task AfterRemoveCompletes_NoLaterGroupMessageIsDelivered(string transport)
    {
        await using var server = await TestServer.StartAsync();
        var context = server.Services.GetRequiredService<IPersistentConnectionContext<GroupsConnection>>();
        using var client = new ProtocolClient(server, "/groups");
        await client.NegotiateOrFailAsync();
        await using var reader = await EnvelopeReader.OpenAsync(client, transport, "connect", null);
        await reader.NextAsync();
        int delivered = 0;
        for (int round = 0; round < Rounds; round++)
        {
            await context.Groups.Add(client.ConnectionId, "room");
            await context.Groups.Send("room", "in-" + round);
            await reader.ReadUntilAsync(m => m.Contains("in-" + round));

            await context.Groups.Remove(client.ConnectionId, "room");
            await context.Groups.Send("room", "after-" + round);
            await context.Connection.Send(client.ConnectionId, "marker-" + round);
            var messages = await reader.ReadUntilAsync(m => m.Contains("marker-" + round));
            delivered += messages.Count(m => m.StartsWith("after-", StringComparison.Ordinal));
        }

        Assert.Equal(0, delivered);
    }
}
