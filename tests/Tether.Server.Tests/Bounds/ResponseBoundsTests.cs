using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Tests.Conformance;
using Xunit.Abstractions;

namespace Tether.Server.Tests.Bounds;

/// <summary>
/// A forged cursor cannot make one response large: every long-poll response, SSE event and WebSocket frame carries at
/// most MaxResponseBytes of messages plus one message, and the whole replay still arrives, in order, once.
/// </summary>
public sealed class ResponseBoundsTests(ITestOutputHelper output)
{
    private const int MessageCount = 1000;
    private const int MessageChars = 10_000;

    /// <summary>Envelope bytes around the messages: keys, cursor, commas.</summary>
    private const int EnvelopeAllowance = 512;

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task ForgedCursor_ReplaysInResponsesBoundedByMaxResponseBytes(string transport)
    {
        await using var server = await TestServer.StartAsync(o => o.MaxTopicBufferBytes = 64L * 1024 * 1024);
        int maxResponseBytes = new PersistentConnectionOptions().MaxResponseBytes;
        using var client = new ProtocolClient(server, "/broadcast");
        await client.NegotiateOrFailAsync();
        string cursor;
        await using (var connect = await EnvelopeReader.OpenAsync(client, transport, "connect", null))
        {
            cursor = (await connect.NextAsync()).Envelope.C!;
        }

        var context = server.Services.GetRequiredService<IPersistentConnectionContext<BroadcastConnection>>();
        for (int i = 0; i < MessageCount; i++)
        {
            await context.Connection.Broadcast(i.ToString("D4") + new string('x', MessageChars - 4));
        }

        await using var replay = await EnvelopeReader.OpenAsync(client, transport, "reconnect", EnvelopeReader.ForgeZeroIds(cursor));
        List<string> received = [];
        int responses = 0;
        int largest = 0;
        while (received.Count < MessageCount && responses < MessageCount)
        {
            var (envelope, bytes) = await replay.NextAsync();
            responses++;
            largest = Math.Max(largest, bytes);
            received.AddRange(envelope.M);
        }

        output.WriteLine($"{transport}: {MessageCount} messages of {MessageChars} bytes replayed in {responses} responses, the largest {largest} bytes (MaxResponseBytes {maxResponseBytes})");
        Assert.True(largest <= maxResponseBytes + MessageChars + 2 + EnvelopeAllowance, $"a response of {largest} bytes");
        Assert.Equal(Enumerable.Range(0, MessageCount).Select(i => i.ToString("D4")), received.Select(m => m[..4]));
        Assert.True(responses >= MessageCount * (MessageChars + 2) / (maxResponseBytes + MessageChars + 2), $"only {responses} responses");
    }
}
