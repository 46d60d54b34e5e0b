using System.Net;
using System.Text.RegularExpressions;

namespace Tether.Server.Tests.Conformance;

/// <summary>Vector V28: while the host shuts down, the live receive request gets <c>{"C":"…","T":1,"M":[]}</c>.</summary>
public sealed class ShutdownConformanceTests
{
    private static readonly Regex ShutdownResponse = new("^\\{\"C\":\"" + Envelope.CursorPattern + "\",\"T\":1,\"M\":\\[\\]\\}$");

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task V28_HostShutdown_LiveReceiveGetsT1(string transport)
    {
        var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        Task? stopping = null;
        try
        {
            using var client = new ProtocolClient(server);
            await client.NegotiateOrFailAsync();
            switch (transport)
            {
                case ProtocolClient.LongPolling:
                {
                    var connect = await client.LongPollAsync("connect");
                    Assert.Matches(Expect.InitMessage, connect.Body);
                    using var poll = client.BeginLongPoll("poll", client.MessageId);
                    Assert.Equal(' ', await poll.ReadByteAsync());

                    stopping = server.DisposeAsync().AsTask();

                    var result = await poll.CompleteAsync();
                    Assert.Equal(HttpStatusCode.OK, result.Status);
                    Assert.Matches(ShutdownResponse, result.Body.TrimStart(' '));
                    break;
                }

                case ProtocolClient.ServerSentEvents:
                {
                    await using var sse = await client.OpenSseAsync();
                    await sse.ReadEventAsync();
                    await sse.ReadEventAsync();

                    stopping = server.DisposeAsync().AsTask();

                    string? e = await sse.ReadNonKeepAliveEventAsync();
                    Assert.NotNull(e);
                    Assert.Matches(ShutdownResponse, SseStream.Data(e!));
                    Assert.True(await sse.WaitForEndAsync());
                    break;
                }

                default:
                {
                    using var ws = await client.OpenWebSocketAsync();
                    await ws.ReceiveAsync();

                    stopping = server.DisposeAsync().AsTask();

                    WsMessage frame;
                    do
                    {
                        frame = await ws.ReceiveAsync();
                    }
                    while (frame.Text == "{}");

                    Assert.Matches(ShutdownResponse, frame.Text);
                    await ws.WaitForCloseAsync();
                    break;
                }
            }

            await stopping.DefaultTimeout();
        }
        finally
        {
            if (stopping is null)
            {
                await server.DisposeAsync();
            }
        }
    }
}
