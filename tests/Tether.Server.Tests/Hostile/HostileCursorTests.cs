using System.Net;
using System.Text.Json;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// A client's <c>messageId</c> is never written back unencoded: a cursor that is not well-formed means "now", and every
/// persistent response stays valid JSON (and a valid JSONP call) whatever the client sent.
/// </summary>
public sealed class HostileCursorTests
{
    private static Task<TestServer> StartAsync() => TestServer.StartAsync(o =>
    {
        // Keep-alives show that a receive request has subscribed, so a message sent after one is certainly delivered.
        o.KeepAlive = TimeSpan.FromSeconds(1);
        o.EnableJsonp = true;
    });

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task HostileCursor_OnConnectAndReconnect_IsNow_AndNeverEchoed(string transport)
    {
        await using var server = await StartAsync();

        // One connection per value, in parallel: each waits for a keep-alive.
        await Task.WhenAll(HostileInput.Short.Select(hostile => ConnectAndReceiveAsync(server, transport, hostile)));
    }

    [Fact]
    public async Task HostileCursor_InLongPollForm_IncludingHundredKilobytes_IsNow_AndNeverEchoed()
    {
        await using var server = await StartAsync();
        await Task.WhenAll(HostileInput.All.Select(async hostile =>
        {
            using var client = new ProtocolClient(server);
            await client.ConnectLongPollingAsync();
            await PollAfterKeepAliveAsync(client, hostile, formBody: true);
        }));
    }

    [Theory]
    [InlineData(ProtocolClient.LongPolling, null)]
    [InlineData(ProtocolClient.LongPolling, "jQuery1234_5678")]
    [InlineData(ProtocolClient.ServerSentEvents, null)]
    [InlineData(ProtocolClient.WebSockets, null)]
    public async Task HostileCursor_OnStoppedConnection_AnswerStaysValidJson(string transport, string? callback)
    {
        await using var server = await StartAsync();
        using var client = new ProtocolClient(server);
        await client.ConnectLongPollingAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(ProtocolClient.LongPolling)).Status);

        foreach (string hostile in HostileInput.Short)
        {
            string extra = callback is null ? string.Empty : "callback=" + callback;
            string url = client.Url(transport == ProtocolClient.WebSockets ? "reconnect" : "poll", transport, hostile, extraQuery: extra);
            foreach (string body in await ReceiveAnswersAsync(client, transport, url))
            {
                using var answer = HostileInput.ParseAnswer(body, callback);
                HostileInput.CursorOf(answer, hostile);
                Assert.True(hostile.Length < 4 || !body.Contains(hostile, StringComparison.Ordinal), body);
            }
        }
    }

    private static async Task ConnectAndReceiveAsync(TestServer server, string transport, string hostile)
    {
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        switch (transport)
        {
            case ProtocolClient.LongPolling:
                var connect = await client.LongPollAsync("connect", hostile);
                using (var init = HostileInput.ParseAnswer(connect.Body))
                {
                    HostileInput.CursorOf(init, hostile);
                }

                await PollAfterKeepAliveAsync(client, hostile, formBody: false);
                break;
            case ProtocolClient.ServerSentEvents:
                await using (var sse = await client.OpenSseAsync("reconnect", hostile))
                {
                    Assert.Equal(HttpStatusCode.OK, sse.Status);
                    string? raw;
                    while ((raw = await sse.ReadEventAsync()) is not null && SseStream.Data(raw) != "{}")
                    {
                    }

                    Assert.NotNull(raw);

                    await client.SendDotNetAsync(transport, "x");
                    var envelopes = await sse.ReadUntilAsync(m => m.Contains("x"));
                    AssertValid(envelopes[^1].Json, hostile);
                }

                break;
            default:
                using (var socket = await client.OpenWebSocketAsync("reconnect", hostile))
                {
                    WsMessage frame;
                    while ((frame = await socket.ReceiveAsync()).Type == System.Net.WebSockets.WebSocketMessageType.Text && frame.Text != "{}")
                    {
                    }

                    Assert.Equal("{}", frame.Text);

                    await socket.SendTextAsync("x");
                    var envelopes = await socket.ReadUntilAsync(m => m.Contains("x"));
                    AssertValid(envelopes[^1].Json, hostile);
                }

                break;
        }
    }

    private static async Task PollAfterKeepAliveAsync(ProtocolClient client, string hostile, bool formBody)
    {
        using var poll = client.BeginLongPoll("poll", hostile, formBody: formBody);
        Assert.Equal((int)' ', await poll.ReadByteAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.SendDotNetAsync(ProtocolClient.LongPolling, "x")).Status);
        var result = await poll.CompleteAsync();
        Assert.Equal(HttpStatusCode.OK, result.Status);
        AssertValid(result.Body, hostile);
        Assert.Contains("x", result.Envelope!.M);
    }

    private static void AssertValid(string body, string hostile)
    {
        using var answer = HostileInput.ParseAnswer(body);
        HostileInput.CursorOf(answer, hostile);
    }

    /// <summary>Every persistent response one receive request gets before it ends (at most one for the stopped connection).</summary>
    private static async Task<List<string>> ReceiveAnswersAsync(ProtocolClient client, string transport, string url)
    {
        switch (transport)
        {
            case ProtocolClient.LongPolling:
                var reply = await client.SendRequestAsync(HttpMethod.Post, url, ProtocolClient.DotNetEmptyBody());
                Assert.Equal(HttpStatusCode.OK, reply.Status);
                return [reply.Body];
            case ProtocolClient.ServerSentEvents:
                await using (var sse = await client.OpenSseAsync(relativeUrl: url))
                {
                    List<string> events = [];
                    while (await sse.ReadEventAsync() is { } raw)
                    {
                        string data = SseStream.Data(raw);
                        if (data is not "initialized" and not "{}")
                        {
                            events.Add(data);
                        }
                    }

                    return events;
                }

            default:
                using (var socket = await client.OpenWebSocketAsync(relativeUrl: url))
                {
                    List<string> frames = [];
                    try
                    {
                        while (await socket.ReceiveAsync() is { Type: System.Net.WebSockets.WebSocketMessageType.Text } frame)
                        {
                            if (frame.Text != "{}")
                            {
                                frames.Add(frame.Text);
                            }
                        }
                    }
                    catch (System.Net.WebSockets.WebSocketException)
                    {
                        // The server may end the socket without a close handshake after its last answer.
                    }

                    return frames;
                }
        }
    }
}
