using System.Net;
using Tether.Server.Internal;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// The other client values that could reach a response: the JSONP callback is validated (400 otherwise), a groups
/// token that does not unprotect is ignored (never echoed), and <c>connectionData</c> and <c>tid</c> never reach one.
/// </summary>
public sealed class HostileQueryValueTests
{
    private static readonly string[] s_badCallbacks = [.. HostileInput.Short.Concat(
    [
        "cb\n",
        "cb\r\n",
        "a.b.",
        ".a",
        "alert(1)//",
        "x;alert(1)",
        "x=1",
        "if",
        "a.new",
        "é",
        "cb\u2028",
        new string('a', 257),
    ])];

    [Fact]
    public async Task JsonpCallback_NotAnIdentifier_Is400_OnEveryOperation()
    {
        await using var server = await TestServer.StartAsync(o => o.EnableJsonp = true);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        foreach (string url in s_badCallbacks.Select(c => "callback=" + Uri.EscapeDataString(c)).SelectMany(query => new[]
        {
            client.Path + "/negotiate?clientProtocol=1.5&" + query,
            client.Path + "/ping?" + query,
            client.Url("connect", ProtocolClient.LongPolling, extraQuery: query),
            client.Url("poll", ProtocolClient.LongPolling, extraQuery: query),
            client.Url("send", ProtocolClient.LongPolling, extraQuery: query + "&data=x"),
        }))
        {
            var reply = await client.GetAsync(url);
            Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{url}: {reply}");
            Assert.Equal(PersistentConnectionDispatcher<EchoConnection>.InvalidJsonpCallback, reply.Body);
        }
    }

    [Theory]
    [InlineData("cb")]
    [InlineData("jQuery111305870468758637994_1453825441012")]
    [InlineData("$.signalR.callbacks_1")]
    [InlineData("_")]
    public async Task JsonpCallback_Identifier_IsServed(string callback)
    {
        await using var server = await TestServer.StartAsync(o => o.EnableJsonp = true);
        using var client = new ProtocolClient(server);
        var reply = await client.GetAsync(client.Path + "/negotiate?clientProtocol=1.5&callback=" + Uri.EscapeDataString(callback));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        using var answer = HostileInput.ParseAnswer(reply.Body, callback);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HostileGroupsToken_IsIgnored_NeverEchoed(bool formBody)
    {
        await using var server = await TestServer.StartAsync(o => o.KeepAlive = TimeSpan.FromSeconds(1));
        var hostileTokens = HostileInput.Short.Select(h => (Func<string, string>)(_ => h)).Concat(
        [
            genuine => genuine[..^4] + (genuine[^4] == 'A' ? 'B' : 'A') + genuine[^3..],
            genuine => genuine + "x",
        ]);
        if (formBody)
        {
            hostileTokens = hostileTokens.Append(_ => HostileInput.Huge);
        }

        // One connection per value, in parallel: each poll waits for a keep-alive.
        await Task.WhenAll(hostileTokens.Select(async makeHostile =>
        {
            using var client = new ProtocolClient(server, "/groups");
            await client.ConnectLongPollingAsync();
            string group = Guid.NewGuid().ToString("N");
            await client.SendDotNetAsync(ProtocolClient.LongPolling, "join:" + group);
            await client.PollUntilAsync(m => m.Contains("joined:" + group));
            string hostile = makeHostile(client.GroupsToken!);

            using var poll = client.BeginLongPoll("reconnect", client.MessageId, hostile, formBody);
            Assert.Equal((int)' ', await poll.ReadByteAsync());

            // The groups of a bad token are not rejoined: a message to the group does not arrive, the answer to a
            // later join (sent to the connection itself) does.
            await client.SendDotNetAsync(ProtocolClient.LongPolling, "to:" + group + ":lost");
            await client.SendDotNetAsync(ProtocolClient.LongPolling, "join:" + group + "-2");
            var result = await poll.CompleteAsync();
            using var answer = HostileInput.ParseAnswer(result.Body);
            Assert.NotEqual(hostile, result.Envelope!.G);
            List<string> received = [.. result.Envelope.M];
            if (!received.Contains("joined:" + group + "-2"))
            {
                // The join's command may come in an answer of its own, before the reply.
                client.MessageId = result.Envelope.C;
                client.GroupsToken = result.Envelope.G;
                var later = await client.PollUntilAsync(m => m.Contains("joined:" + group + "-2"), groupsToken: result.Envelope.G ?? string.Empty, formBody: formBody);
                received.AddRange(later.SelectMany(r => r.Envelope!.M));
            }

            Assert.Equal(["joined:" + group + "-2"], received);
        }));
    }

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task HostileConnectionDataAndTid_NeverReachAResponse(string transport)
    {
        await using var server = await TestServer.StartAsync(o => o.EnableJsonp = true);
        foreach (string hostile in HostileInput.Short)
        {
            using var client = new ProtocolClient(server);
            string extra = "connectionData=" + Uri.EscapeDataString(hostile) + "&tid=" + Uri.EscapeDataString(hostile);
            var negotiate = await client.NegotiateAsync("clientProtocol=1.5&" + extra);
            Assert.Equal(HttpStatusCode.OK, negotiate.Status);
            using (HostileInput.ParseAnswer(negotiate.Body))
            {
                Assert.True(hostile.Length < 4 || !negotiate.Body.Contains(hostile, StringComparison.Ordinal));
            }

            string url = client.Url("connect", transport, extraQuery: extra);
            string init = transport switch
            {
                ProtocolClient.LongPolling => (await client.SendRequestAsync(HttpMethod.Post, url, ProtocolClient.DotNetEmptyBody())).Body,
                ProtocolClient.ServerSentEvents => await FirstSseAnswerAsync(client, url),
                _ => await FirstWebSocketAnswerAsync(client, url),
            };

            using var answer = HostileInput.ParseAnswer(init);
            Assert.Equal(1, answer.RootElement.GetProperty("S").GetInt32());
            Assert.True(hostile.Length < 4 || !init.Contains(hostile, StringComparison.Ordinal));
        }
    }

    private static async Task<string> FirstSseAnswerAsync(ProtocolClient client, string url)
    {
        await using var sse = await client.OpenSseAsync(relativeUrl: url);
        Assert.Equal("initialized", SseStream.Data((await sse.ReadEventAsync())!));
        return SseStream.Data((await sse.ReadNonKeepAliveEventAsync())!);
    }

    private static async Task<string> FirstWebSocketAnswerAsync(ProtocolClient client, string url)
    {
        using var socket = await client.OpenWebSocketAsync(relativeUrl: url);
        return (await socket.ReceiveAsync()).Text;
    }
}
