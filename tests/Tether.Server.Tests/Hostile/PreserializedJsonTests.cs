using Microsoft.AspNetCore.Builder;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// <c>Connection.Send(id, new ArraySegment&lt;byte&gt;(utf8Json))</c> goes out as that JSON (as the classic server writes
/// it), not as an array of numbers; anything but exactly one JSON value is refused with <see cref="ArgumentException"/>.
/// A <see cref="System.Text.Json.JsonElement"/> goes out as the value it holds.
/// </summary>
public sealed class PreserializedJsonTests
{
    private static readonly (string Sent, string Expected)[] s_cases =
    [
        ("{\"a\":[1,2,{\"b\":null}],\"c\":\"</script>\\u0022\"}", "{\"a\":[1,2,{\"b\":null}],\"c\":\"</script>\\u0022\"}"),
        ("42", "42"),
        ("\"text\"", "text"),
        ("null", "null"),
        (" [true, false] ", "[true, false]"),
        ("[1,\n2,\r\n{\"x\":\"y\"}]", "[1,2,{\"x\":\"y\"}]"),
        ("{", "rejected"),
        ("1 2", "rejected"),
        ("{\"a\":1}x", "rejected"),
        ("[1,]", "rejected"),
        ("/* c */ 1", "rejected"),
        (string.Empty, "rejected"),
        ("element:{\"x\":[1,\"é\"]}", "{\"x\":[1,\"é\"]}"),
    ];

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task PreserializedJson_GoesOutAsIs_OrIsRefused(string transport)
    {
        await using var server = await TestServer.StartAsync(configureApp: app => app.MapPersistentConnection<RawJsonConnection>("/raw"));
        using var client = new ProtocolClient(server, "/raw");
        await client.NegotiateOrFailAsync();
        var received = new List<string>();
        switch (transport)
        {
            case ProtocolClient.LongPolling:
                var connect = await client.LongPollAsync("connect");
                foreach (var (sent, _) in s_cases)
                {
                    await client.SendDotNetAsync(transport, sent);
                }

                var polls = await client.PollUntilAsync(m => m.Count >= s_cases.Length);
                received.AddRange(polls.SelectMany(p => p.Envelope!.RawM));
                break;
            case ProtocolClient.ServerSentEvents:
                await using (var sse = await client.OpenSseAsync())
                {
                    await sse.ReadNonKeepAliveEventAsync();
                    await sse.ReadNonKeepAliveEventAsync();
                    foreach (var (sent, _) in s_cases)
                    {
                        await client.SendDotNetAsync(transport, sent);
                    }

                    var envelopes = await sse.ReadUntilAsync(m => m.Count >= s_cases.Length);
                    received.AddRange(envelopes.SelectMany(e => e.RawM));
                }

                break;
            default:
                using (var socket = await client.OpenWebSocketAsync())
                {
                    await socket.ReceiveAsync();
                    foreach (var (sent, _) in s_cases)
                    {
                        await socket.SendTextAsync(sent);
                    }

                    var envelopes = await socket.ReadUntilAsync(m => m.Count >= s_cases.Length);
                    received.AddRange(envelopes.SelectMany(e => e.RawM));
                }

                break;
        }

        Assert.Equal(s_cases.Select(c => c.Expected == "rejected" || c.Expected == "text" ? "\"" + c.Expected + "\"" : c.Expected), received);
    }
}
