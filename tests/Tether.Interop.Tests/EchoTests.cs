using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Tether.Server;
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
        client.AssertNoTrouble();
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task EchoesLargeMessage(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OfficialClient.StartAsync(server.Url("/echo"), transport, output);

        // 48 KB: many times the classic 4 KB WebSocket read buffer, under the 64 KB default limit, and full of what form
        // encoding must get right. ASCII only: see the remarks on Payload.
        string large = string.Concat(Enumerable.Range(0, 3072).Select(i => $"{i:D6}+&=%\"-chunk|"));
        await client.Send(large).DefaultTimeout();
        await client.WaitForMessages(1).DefaultTimeout();
        Assert.Equal(large, client.Messages[0]);
        client.AssertNoTrouble();
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task ServerValuesArriveAsJson(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OfficialClient.StartAsync(server.Url("/echo"), transport, output);
        var connection = server.Services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>().Connection;

        // M carries raw JSON values (docs/protocol.md#persistent-responses); the official client hands over JToken.ToString(): strings
        // unquoted, everything else as JSON text.
        await connection.Send(client.ConnectionId, "plain \"text\"").DefaultTimeout();
        await connection.Send(client.ConnectionId, 42).DefaultTimeout();
        await connection.Send(client.ConnectionId, true).DefaultTimeout();
        await connection.Send(client.ConnectionId, new { Name = "x", N = 1, Items = new[] { 1, 2 } }).DefaultTimeout();
        await connection.Send(client.ConnectionId, new[] { "a", "b" }).DefaultTimeout();
        await client.WaitForMessages(5).DefaultTimeout();

        var received = client.Messages;
        Assert.Equal("plain \"text\"", received[0]);
        Assert.Equal("42", received[1]);
        Assert.Equal("True", received[2]);
        Assert.True(JToken.DeepEquals(JObject.Parse("""{"Name":"x","N":1,"Items":[1,2]}"""), JToken.Parse(received[3])), received[3]);
        Assert.True(JToken.DeepEquals(JArray.Parse("""["a","b"]"""), JToken.Parse(received[4])), received[4]);
        client.AssertNoTrouble();
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task EchoesUnicode(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OfficialClient.StartAsync(server.Url("/echo"), transport, output);

        // One at a time, each awaited: see the remarks on Payload.
        string[] messages = ["héllo wörld", "✓ check", "😀 surrogate pair", "日本語のテキスト", "mixed + & = % é 😀 ✓"];
        for (int i = 0; i < messages.Length; i++)
        {
            await client.Send(messages[i]).DefaultTimeout();
            await client.WaitForMessages(i + 1).DefaultTimeout();
        }

        Assert.Equal(messages, client.Messages);
        client.AssertNoTrouble();
    }

    /// <summary>
    /// Mostly plain text; every tenth payload carries what form and JSON encoding must get right. ASCII only, because
    /// of a limitation of the official client : its serverSentEvents and longPolling
    /// transports decode every 4 KB read of the response separately (ChunkBuffer.Add, IResponseExtensions.ReadAsString
    /// call Encoding.UTF8.GetString per read), so a multi-byte character that straddles a read boundary turns into
    /// two U+FFFD, whatever the server. That happens once more than 4 KB are pending, e.g. a batch of echoes or one
    /// large message; webSockets assembles whole messages and is not affected. Multi-byte text is covered by
    /// <see cref="EchoesUnicode"/> with one small message in flight at a time.
    /// </summary>
    internal static string Payload(int i) => (i % 10) switch
    {
        3 => $"{i}: a+b=c&d=%20 100% \"quoted\" back\\slash",
        7 => $"{i}: <tag> 'single' \t tab ~`!@#$^*()[]{{}}|;:,./?",
        9 => $"{{\"json\":{i},\"looks\":[\"like\",\"an\",\"object\"]}}",
        _ => $"message-{i:D4}",
    };
}
