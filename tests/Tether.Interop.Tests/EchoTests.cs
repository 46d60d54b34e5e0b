using Xunit.Abstractions;

namespace Tether.Interop.Tests;

/// <summary>Client-to-server data and direct server-to-client sends, in volume and in order.</summary>
public sealed class EchoTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task Echoes1000MessagesInOrder(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OfficialClient.StartAsync(server.Url("/echo"), transport, output);

        string[] expected = [.. Enumerable.Range(0, 1000).Select(Payload)];
        foreach (string message in expected)
        {
            // One at a time: HTTP transports post each message separately, so only sequential sends have an order.
            await client.Send(message).DefaultTimeout();
        }

        await client.WaitForMessages(expected.Length).DefaultTimeout();
        Assert.Equal(expected, client.Messages);
    }

    /// <summary>Mostly plain text; every tenth payload carries what form and JSON encoding must get right.</summary>
    internal static string Payload(int i) => (i % 10) switch
    {
        3 => $"{i}: a+b=c&d=%20 100% \"quoted\" back\\slash",
        7 => $"{i}: héllo wörld ✓ 😀 <tag> 'single' \t tab",
        9 => $"{{\"json\":{i},\"looks\":[\"like\",\"an\",\"object\"]}}",
        _ => $"message-{i:D4}",
    };
}
