using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Tether.Server.Tests.Conformance;
using Xunit.Abstractions;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>
/// On ApplicationStopping, with receive requests open on every transport: long polls answer at once with <c>T</c>, SSE
/// streams end, WebSockets close with 1001 (going away), and the host stops well under its 5 s stop timeout.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private const int PerTransport = 20;

    [Fact]
    public async Task Stopping_EndsEveryReceiveRequest_Quickly()
    {
        var server = await TestServer.StartAsync();
        List<LongPoll> polls = [];
        List<SseStream> streams = [];
        List<WebSocketChannel> sockets = [];
        List<ProtocolClient> clients = [];
        try
        {
            for (int i = 0; i < PerTransport; i++)
            {
                var lp = new ProtocolClient(server, "/echo");
                clients.Add(lp);
                await lp.ConnectLongPollingAsync();
                var poll = lp.BeginLongPoll("poll", lp.MessageId);
                await poll.ResponseTask.DefaultTimeout();
                polls.Add(poll);

                var sse = new ProtocolClient(server, "/echo");
                clients.Add(sse);
                await sse.NegotiateOrFailAsync();
                var stream = await sse.OpenSseAsync();
                await stream.ReadEventAsync();
                await stream.ReadEventAsync();
                streams.Add(stream);

                var ws = new ProtocolClient(server, "/echo");
                clients.Add(ws);
                await ws.NegotiateOrFailAsync();
                var socket = await ws.OpenWebSocketAsync();
                await socket.ReceiveAsync();
                sockets.Add(socket);
            }

            // Every client reads on, as real clients do, so close handshakes complete.
            var answers = polls.Select(p => p.CompleteAsync()).ToList();
            var ends = streams.Select(s => s.WaitForEndAsync()).ToList();
            var closes = sockets.Select(AnswerCloseAsync).ToList();

            var stopping = Stopwatch.StartNew();
            await server.DisposeAsync().AsTask().DefaultTimeout();
            stopping.Stop();
            output.WriteLine($"stopped in {stopping.Elapsed.TotalMilliseconds:F0} ms with {PerTransport} receive requests open per transport");

            // The stop is capped at 5 s (LoopbackKestrel), after which Kestrel would abort what is left: well under it
            // means the receive requests ended themselves (the answers below say how).
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {stopping.Elapsed}");
            foreach (var result in await Task.WhenAll(answers).DefaultTimeout())
            {
                Assert.Equal(HttpStatusCode.OK, result.Status);
                Assert.Equal(1, result.Envelope?.T);
            }

            Assert.All(await Task.WhenAll(ends).DefaultTimeout(), Assert.True);
            Assert.All(await Task.WhenAll(closes).DefaultTimeout(), close => Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close?.CloseStatus));
        }
        finally
        {
            polls.ForEach(p => p.Dispose());
            sockets.ForEach(s => s.Dispose());
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }

            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Waits for the server's close frame and answers it, as WebSocket clients do.</summary>
    private static async Task<WsMessage?> AnswerCloseAsync(WebSocketChannel socket)
    {
        var close = await socket.WaitForCloseAsync();
        if (socket.Socket.State == WebSocketState.CloseReceived)
        {
            await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);
        }

        return close;
    }
}
