using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Bounds;

/// <summary>
/// Reads persistent responses of one connection the same way on every transport: successive long polls (carrying the
/// cursor and groups token forward), SSE events or WebSocket frames, skipping keep-alives. Reports each response's size.
/// </summary>
internal abstract class EnvelopeReader : IAsyncDisposable
{
    /// <summary>Opens a receive request (<paramref name="op"/> is <c>connect</c> or <c>reconnect</c>) from <paramref name="cursor"/>.</summary>
    public static async Task<EnvelopeReader> OpenAsync(ProtocolClient client, string transport, string op, string? cursor)
    {
        switch (transport)
        {
            case ProtocolClient.LongPolling:
                client.MessageId = cursor;
                return new LongPolls(client, op);
            case ProtocolClient.ServerSentEvents:
                var sse = await client.OpenSseAsync(op, cursor, client.GroupsToken);
                Assert.Equal("data: initialized\n\n", await sse.ReadEventAsync());
                return new Events(sse);
            default:
                return new Frames(await client.OpenWebSocketAsync(op, cursor, client.GroupsToken));
        }
    }

    /// <summary>The next persistent response and its size in bytes (the JSON, without transport framing).</summary>
    public abstract Task<(Envelope Envelope, int Bytes)> NextAsync();

    /// <summary>Reads until <paramref name="done"/> holds for the messages collected; bounded by <paramref name="maxResponses"/>.</summary>
    public async Task<List<string>> ReadUntilAsync(Func<List<string>, bool> done, int maxResponses = 50)
    {
        List<string> messages = [];
        for (int i = 0; i < maxResponses && !done(messages); i++)
        {
            messages.AddRange((await NextAsync()).Envelope.M);
        }

        Assert.True(done(messages), $"Expected messages not seen in {maxResponses} responses; got [{string.Join(", ", messages)}].");
        return messages;
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>A cursor forged from a real one: every id set to 0, to replay whatever the server still buffers.</summary>
    public static string ForgeZeroIds(string cursor) => Regex.Replace(cursor, ",[0-9A-Fa-f]+", ",0");

    private static Envelope Parse(string json)
    {
        var envelope = Envelope.TryParse(json);
        Assert.True(envelope is not null, $"not a persistent response: '{(json.Length > 200 ? json[..200] : json)}'");
        return envelope!;
    }

    private sealed class LongPolls(ProtocolClient client, string firstOp) : EnvelopeReader
    {
        private string _op = firstOp;

        public override async Task<(Envelope Envelope, int Bytes)> NextAsync()
        {
            var result = await client.LongPollAsync(_op, client.MessageId, client.GroupsToken);
            _op = "poll";
            Assert.Equal(HttpStatusCode.OK, result.Status);
            string json = result.Body.TrimStart(' ');
            return (Parse(json), Encoding.UTF8.GetByteCount(json));
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Events(SseStream stream) : EnvelopeReader
    {
        public override async Task<(Envelope Envelope, int Bytes)> NextAsync()
        {
            string? e = await stream.ReadNonKeepAliveEventAsync();
            Assert.True(e is not null, "the SSE stream ended");
            string json = SseStream.Data(e!);
            return (Parse(json), Encoding.UTF8.GetByteCount(json));
        }

        public override ValueTask DisposeAsync() => stream.DisposeAsync();
    }

    private sealed class Frames(WebSocketChannel channel) : EnvelopeReader
    {
        public override async Task<(Envelope Envelope, int Bytes)> NextAsync()
        {
            while (true)
            {
                var frame = await channel.ReceiveAsync();
                Assert.Equal(WebSocketMessageType.Text, frame.Type);
                if (frame.Text != "{}")
                {
                    return (Parse(frame.Text), Encoding.UTF8.GetByteCount(frame.Text));
                }
            }
        }

        public override ValueTask DisposeAsync()
        {
            channel.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
