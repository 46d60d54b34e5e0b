namespace Tether.ClassicServer.Tests;

/// <summary>Broadcasts through the classic server reach every official client exactly once.</summary>
public sealed class BroadcastTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    private const int Clients = 3;
    private const int MessagesPerClient = 5;

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task EveryClientReceivesEveryBroadcastOnce(string transport)
    {
        var clients = new List<OfficialClient>();
        try
        {
            for (int i = 0; i < Clients; i++)
            {
                clients.Add(await OfficialClient.StartAsync(fixture.Server.Url("/broadcast"), transport));
            }

            // Every client sends its own messages concurrently with the others, each one in order.
            await Task.WhenAll(clients.Select(async (client, c) =>
            {
                for (int m = 0; m < MessagesPerClient; m++)
                {
                    await client.Send($"c{c}-m{m}");
                }
            })).DefaultTimeout();

            // A last broadcast: anything duplicated would have arrived by the time it does.
            await Task.WhenAll(clients.Select(c => c.WaitForMessages(Clients * MessagesPerClient))).DefaultTimeout();
            await clients[0].Send("end").DefaultTimeout();
            await Task.WhenAll(clients.Select(c => c.WaitForMessage("end"))).DefaultTimeout();

            string[] all = [.. from c in Enumerable.Range(0, Clients) from m in Enumerable.Range(0, MessagesPerClient) select $"c{c}-m{m}"];
            foreach (var client in clients)
            {
                var received = client.Messages;
                Assert.Equal(all.Length + 1, received.Count);
                Assert.Equal("end", received[^1]);
                Assert.Equal(all.Order(StringComparer.Ordinal), received.Take(all.Length).Order(StringComparer.Ordinal));
                for (int c = 0; c < Clients; c++)
                {
                    // One topic, so each sender's messages keep their order.
                    Assert.Equal(
                        Enumerable.Range(0, MessagesPerClient).Select(m => $"c{c}-m{m}"),
                        received.Where(r => r.StartsWith($"c{c}-", StringComparison.Ordinal)));
                }

                client.AssertNoTrouble();
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
