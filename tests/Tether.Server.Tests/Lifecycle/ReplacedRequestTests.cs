using System.Net;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>
/// A receive request replaced by a newer one of the same connection ends gracefully: the long poll is answered with an
/// ordinary persistent response, the SSE response completes; neither is reset.
/// </summary>
public sealed class ReplacedRequestTests
{
    private const int Rounds = 40;

    [Fact]
    public async Task ReplacedLongPoll_IsAnswered()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/echo");
        await client.ConnectLongPollingAsync();
        for (int round = 0; round < Rounds; round++)
        {
            using var first = client.BeginLongPoll("poll", client.MessageId);
            await first.ResponseTask.DefaultTimeout();
            using var second = client.BeginLongPoll("poll", client.MessageId);
            await second.ResponseTask.DefaultTimeout();

            // Whichever the server saw first is replaced by the other and answered at once; a message ends the other.
            var one = first.CompleteAsync();
            var other = second.CompleteAsync();
            var firstDone = await Task.WhenAny(one, other);
            var replaced = await firstDone;
            await Expect.ServerSend<EchoConnection>(server, client.ConnectionId, "round-" + round);
            var live = await (firstDone == one ? other : one);

            Assert.Equal(HttpStatusCode.OK, replaced.Status);
            Assert.NotNull(replaced.Envelope);
            Assert.Empty(replaced.Envelope!.M);
            Assert.Equal(HttpStatusCode.OK, live.Status);
            Assert.Equal(["round-" + round], live.Envelope!.M);
            client.MessageId = live.Envelope.C;
        }
    }

    [Fact]
    public async Task ReplacedEventStream_Completes()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/echo");
        await client.NegotiateOrFailAsync();
        await using (var connect = await client.OpenSseAsync())
        {
            await connect.ReadEventAsync();
            client.MessageId = Envelope.TryParse(SseStream.Data((await connect.ReadEventAsync())!))!.C;
        }

        for (int round = 0; round < Rounds; round++)
        {
            // Each stream on a client of its own (the reads still pending at the end of a round must not leave a
            // pooled connection behind), with the same token, as a client and its own retry would be.
            using var one = new ProtocolClient(server, "/echo") { ConnectionToken = client.ConnectionToken };
            using var two = new ProtocolClient(server, "/echo") { ConnectionToken = client.ConnectionToken };
            await using var first = await one.OpenSseAsync("reconnect", client.MessageId);
            Assert.Equal("data: initialized\n\n", await first.ReadEventAsync());
            await using var second = await two.OpenSseAsync("reconnect", client.MessageId);
            Assert.Equal("data: initialized\n\n", await second.ReadEventAsync());

            // The replaced stream ends with the end of its response body, not with an error.
            var ended = await Task.WhenAny(ReadToEndAsync(first), ReadToEndAsync(second));
            Assert.True(await ended, $"round {round}: the replaced stream was reset");
        }
    }

    /// <summary>True when the stream ends cleanly; false when it is cut (reset or aborted).</summary>
    private static async Task<bool> ReadToEndAsync(SseStream stream)
    {
        try
        {
            while (await stream.ReadEventAsync() is not null)
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return false;
        }
    }
}
