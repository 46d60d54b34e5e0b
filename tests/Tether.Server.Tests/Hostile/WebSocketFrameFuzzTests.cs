using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Tether.Server.Tests.Conformance;
using Xunit.Abstractions;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// Seeded random WebSocket traffic against a real server: text (valid and invalid UTF-8), random fragmentation, binary,
/// empty messages, sizes around MaxIncomingWebSocketMessageSize, odd close codes, aborts mid-message, and malformed raw
/// frames. The server never logs an error, every valid text message reaches <c>OnReceived</c> intact and in order,
/// over-size messages close with 1009, and a fresh connection still echoes afterwards.
/// </summary>
public sealed class WebSocketFrameFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 7_2026;
    private const int MaxMessage = 4096;
    private const int Connections = 60;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Fact]
    public async Task RandomFrameSequences_AreAnsweredCleanly_AndValidMessagesArriveInOrder()
    {
        var logs = new LogCollector();
        await using var server = await TestServer.StartAsync(o => o.MaxIncomingWebSocketMessageSize = MaxMessage, configureServices: logs.AddTo);
        var fuzz = new FuzzInput(Seed);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var expected = new Dictionary<string, List<string>>();
        var stopwatch = Stopwatch.StartNew();

        for (int round = 0; round < Connections; round++)
        {
            using var client = new ProtocolClient(server, "/events");
            await client.NegotiateOrFailAsync();
            using var channel = await client.OpenWebSocketAsync();
            var socket = channel.Socket;
            var closed = DrainAsync(socket);
            var sent = expected[client.ConnectionId] = [];

            for (int step = fuzz.Random.Next(1, 20); step > 0; step--)
            {
                int kind = fuzz.Random.Next(5);
                byte[] payload = kind switch
                {
                    0 or 1 => Encoding.UTF8.GetBytes(Fit(fuzz.Text(fuzz.Random.Next(2) == 0 ? 40 : 1200))),
                    2 => [],
                    3 => Encoding.UTF8.GetBytes(Pad(fuzz.Text(200), MaxMessage - fuzz.Random.Next(2))),
                    _ => fuzz.Bytes(MaxMessage),
                };
                var type = kind == 4 ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                await SendFragmentedAsync(fuzz.Random, socket, payload, type);
                Count(counts, kind switch { 2 => "empty text", 3 => "text just under/at the limit", 4 => "binary (ignored)", _ => "text" });
                if (type == WebSocketMessageType.Text)
                {
                    sent.Add(Encoding.UTF8.GetString(payload));
                }
            }

            // Everything valid has arrived before the connection ends, whichever way it ends.
            await ReceivedCountAsync(server, client.ConnectionId, sent.Count).DefaultTimeout();
            switch (fuzz.Random.Next(4))
            {
                case 0:
                    await SendFragmentedAsync(fuzz.Random, socket, new byte[MaxMessage + 1 + fuzz.Random.Next(MaxMessage)], WebSocketMessageType.Text, finalFrom: fuzz.Random.Next(MaxMessage + 1));
                    Assert.Equal(WebSocketCloseStatus.MessageTooBig, await closed.DefaultTimeout());
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).DefaultTimeout();
                    Count(counts, "over the limit (1009)");
                    break;
                case 1:
                    var (invalid, validPrefix) = InvalidUtf8(fuzz);
                    await SendFragmentedAsync(fuzz.Random, socket, invalid, WebSocketMessageType.Text, finalFrom: fuzz.Random.Next(validPrefix + 1));
                    // ASP.NET Core's WebSocket ends the connection (1007, or the socket dropped): never an OnReceived.
                    var invalidClose = await closed.DefaultTimeout();
                    Assert.True(invalidClose is null or WebSocketCloseStatus.InvalidPayloadData, invalidClose?.ToString());
                    Count(counts, "invalid UTF-8 " + (invalidClose is null ? "(dropped)" : "(1007)"));
                    break;
                case 2:
                    var status = (WebSocketCloseStatus)fuzz.Pick(s_closeCodes);
                    await socket.CloseOutputAsync(status, fuzz.Random.Next(2) == 0 ? null : "bye " + fuzz.Random.Next(), CancellationToken.None).DefaultTimeout();
                    // The server answers a close (a status outside RFC 6455's may also end it with a reset).
                    var answer = await closed.DefaultTimeout();
                    Count(counts, $"close with status {(status == WebSocketCloseStatus.NormalClosure ? "1000" : "odd")} ({(answer is null ? "dropped" : "answered")})");
                    break;
                default:
                    await socket.SendAsync(fuzz.Bytes(MaxMessage / 2), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None).DefaultTimeout();
                    socket.Abort();
                    await closed.DefaultTimeout();
                    Count(counts, "abort mid-message");
                    break;
            }
        }

        counts["malformed raw frames"] = await SendMalformedFramesAsync(server, fuzz);
        await AssertStillEchoesAsync(server);

        foreach (var (connectionId, sent) in expected)
        {
            var received = server.Events.For(connectionId).Where(e => e.Kind == ConnectionEventKind.Received).Select(e => e.Data ?? string.Empty);
            Assert.Equal(sent, received);
        }

        logs.AssertNoErrors();
        Assert.Equal(counts["over the limit (1009)"], logs.Entries.Count(e => e.Id.Name == "WebSocketMessageTooBig"));
        output.WriteLine($"[fuzz] WebSocket frames: {counts.Values.Sum()} inputs over {Connections} connections + raw sockets in {stopwatch.ElapsedMilliseconds} ms, seed {Seed}; {string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}"))}");
    }

    private static readonly int[] s_closeCodes = [1000, 1001, 1002, 1003, 1004, 1007, 1008, 1009, 1010, 1011, 1012, 1016, 2000, 2999, 3000, 4000, 4999, 5000, 65535];

    private static void Count(SortedDictionary<string, int> counts, string kind) => counts[kind] = counts.GetValueOrDefault(kind) + 1;

    /// <summary>Text cut to at most MaxMessage UTF-8 bytes (whole characters).</summary>
    private static string Fit(string text)
    {
        while (Encoding.UTF8.GetByteCount(text) > MaxMessage)
        {
            text = text[..(text.Length / 2)];
        }

        return text;
    }

    /// <summary>Text padded with ASCII to exactly <paramref name="bytes"/> UTF-8 bytes.</summary>
    private static string Pad(string text, int bytes) => text + new string('x', bytes - Encoding.UTF8.GetByteCount(text));

    /// <summary>Valid text, then random bytes ending in 0xFF (never valid UTF-8); and how long the valid text is.</summary>
    private static (byte[] Bytes, int ValidPrefix) InvalidUtf8(FuzzInput fuzz)
    {
        byte[] text = Encoding.UTF8.GetBytes(fuzz.Text(100));
        byte[] bytes = [.. text, .. fuzz.Bytes(20), 0xFF];
        try
        {
            _ = s_strictUtf8.GetString(bytes);
            Assert.Fail("Not invalid: " + Convert.ToHexString(bytes));
        }
        catch (DecoderFallbackException)
        {
        }

        return (bytes, text.Length);
    }

    /// <summary>
    /// Sends one message in random fragments (empty ones included) up to <paramref name="finalFrom"/>, then the rest as
    /// the final frame: a message the server refuses is refused only in its final frame, so the client never sends after
    /// the server closed (a failed send aborts a ClientWebSocket, which would hide the close status).
    /// </summary>
    private static async Task SendFragmentedAsync(Random random, ClientWebSocket socket, byte[] payload, WebSocketMessageType type, int? finalFrom = null)
    {
        int offset = 0, end = finalFrom ?? payload.Length;
        while (offset < end && random.Next(4) != 0)
        {
            int size = random.Next(Math.Min(end - offset, 700) + 1);
            await socket.SendAsync(payload.AsMemory(offset, size), type, endOfMessage: false, CancellationToken.None).DefaultTimeout();
            offset += size;
        }

        await socket.SendAsync(payload.AsMemory(offset), type, endOfMessage: true, CancellationToken.None).DefaultTimeout();
    }

    /// <summary>Reads (and drops) the server's frames; the close status, or <see langword="null"/> when the socket broke.</summary>
    private static async Task<WebSocketCloseStatus?> DrainAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return result.CloseStatus;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            return null;
        }
    }

    private static Task ReceivedCountAsync(TestServer server, string connectionId, int count)
    {
        int seen = 0;
        return count == 0
            ? Task.CompletedTask
            : server.Events.WaitFor(e => e.Kind == ConnectionEventKind.Received && e.ConnectionId == connectionId && ++seen == count);
    }

    private static async Task AssertStillEchoesAsync(TestServer server)
    {
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();
        await ws.SendTextAsync("still here");
        var frames = await ws.ReadUntilAsync(m => m.Count > 0);
        Assert.Equal(["still here"], frames.SelectMany(f => f.M));
    }

    private static Task<int> SendMalformedFramesAsync(TestServer server, FuzzInput fuzz) => RawWebSocket.SendMalformedFramesAsync(server, fuzz.Random, 30);
}
