using System.Diagnostics;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>
/// A WebSocket client that never answers the server's close frame: once the close handshake times out the server
/// aborts the socket, which ends the input loop's pending read, so the host still stops quickly.
/// </summary>
public sealed class SilentWebSocketShutdownTests
{
    [Fact]
    public async Task Stopping_WithAClientThatNeverAnswersTheClose_AbortsItsSocket_AndStopsQuickly()
    {
        var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/echo");
        await client.NegotiateOrFailAsync();
        using var socket = await client.OpenWebSocketAsync();
        await socket.ReceiveAsync();

        // The client reads nothing more: the server's close frame is never answered.
        var stopping = Stopwatch.StartNew();
        await server.DisposeAsync().AsTask().DefaultTimeout();
        stopping.Stop();

        // The shutdown close timeout is 0.5 s; the host's own limit (5 s) is what a read left pending would cost.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {stopping.Elapsed}");
    }
}
