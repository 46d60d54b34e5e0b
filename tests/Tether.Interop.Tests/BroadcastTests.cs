using Xunit.Abstractions;

namespace Tether.Interop.Tests;

/// <summary>Broadcasts reach every official client exactly once.</summary>
public sealed class BroadcastTests(ITestOutputHelper output)
{
    private const int Clients = 10;
    private const int MessagesPerClient = 5;

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task EveryClientReceivesEveryBroadcastOnce(string transport)
    {
        await using var server = await TestServer.StartAsync();
        var clients = new List<OfficialClient>();
        try
        {
            var starts = Enumerable.Range(0, Clients).Select(_ => OfficialClient.StartAsync(server.Url("/broadcast"), transport, output)).ToArray();
            try
            {
                await Task.WhenAll(starts).DefaultTimeout();
            }
            finally
            {
                clients.AddRange(starts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            // Every client sends its own messages concurrently with the others, each one in order.
            await Task.WhenAll(clients.Select(async (client, c) =>
            {
                for (int m = 0; m < MessagesPerClient; m++)
                {
                    await client.Send($"c{c}-m{m}");
                }
            })).DefaultTimeout();

            await Task.WhenAll(clients.Select(c => c.WaitForMessages(Clients * MessagesPerClient))).DefaultTimeout();

            // A last broadcast on the same topic: anything duplicated would have arrived by the time it does.
            await clients[0].Send("end").DefaultTimeout();
            await Task.WhenAll(clients.Select(c => c.WaitForMessage("end"))).DefaultTimeout();

            string[] all = [.. from c in Enumerable.Range(0, Clients) from m in Enumerable.Range(0, MessagesPerClient) select $"c{c}-m{m}"];
            foreach (var client in clients)
            {
                var received = client.Messages;
                Assert.Equal("end", received[^1]);
                Assert.Equal(all.Length + 1, received.Count);
                Assert.Equal(all.Order(StringComparer.Ordinal), received.Take(all.Length).Order(StringComparer.Ordinal));

                // One topic, so each sender's messages keep their order.
                for (int c = 0; c < Clients; c++)
                {
                    string prefix = $"c{c}-";
                    Assert.Equal(
                        Enumerable.Range(0, MessagesPerClient).Select(m => $"c{c}-m{m}"),
                        received.Where(r => r.StartsWith(prefix, StringComparison.Ordinal)));
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
