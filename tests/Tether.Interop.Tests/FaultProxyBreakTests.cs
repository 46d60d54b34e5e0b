using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tether.Interop.Tests;

/// <summary>The proxy's per-connection faults (<see cref="FaultProxy.Pair.Break"/>), seen from both ends of one link.</summary>
public sealed class FaultProxyBreakTests
{
    [Fact]
    public async Task Drain_ForwardsWhatWasSent_ThenBothEndsSeeACleanEnd()
    {
        await using var link = await Link.OpenAsync();
        await link.Client.SendAsync("up"u8.ToArray(), SocketFlags.None).DefaultTimeout();
        await link.Server.SendAsync("down"u8.ToArray(), SocketFlags.None).DefaultTimeout();
        Assert.Equal("up", await ReadAsync(link.Server, 2));
        Assert.Equal("down", await ReadAsync(link.Client, 4));

        link.Pair.Break(ProxyFault.Drain);

        Assert.Equal(0, await ReadEndAsync(link.Client));
        Assert.Equal(0, await ReadEndAsync(link.Server));
        await link.Pair.Completion.DefaultTimeout();
        Assert.Equal(0, link.Proxy.ConnectionCount);
    }

    [Theory]
    [InlineData(ProxyFault.HalfCloseToClient)]
    [InlineData(ProxyFault.HalfCloseToServer)]
    public async Task HalfClose_EndsOneDirectionOnly_TheOtherKeepsFlowing(ProxyFault fault)
    {
        await using var link = await Link.OpenAsync();
        var (ended, flowing) = fault == ProxyFault.HalfCloseToClient ? (link.Client, link.Server) : (link.Server, link.Client);
        link.Pair.Break(fault);

        Assert.Equal(0, await ReadEndAsync(ended));
        await ended.SendAsync("still flowing"u8.ToArray(), SocketFlags.None).DefaultTimeout();
        Assert.Equal("still flowing", await ReadAsync(flowing, 13));
    }

    [Fact]
    public async Task CutAllWithDrain_EndsEveryLinkCleanly()
    {
        await using var first = await Link.OpenAsync();
        Assert.Equal(1, first.Proxy.CutAll(ProxyFault.Drain));
        Assert.Equal(0, await ReadEndAsync(first.Client));
        await first.Pair.Completion.DefaultTimeout();
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes as text.</summary>
    private static async Task<string> ReadAsync(Socket socket, int length)
    {
        byte[] buffer = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).DefaultTimeout();
            Assert.NotEqual(0, n);
            read += n;
        }

        return Encoding.UTF8.GetString(buffer);
    }

    /// <summary>Reads once more: 0 is a clean end of stream (FIN); a reset would throw.</summary>
    private static async Task<int> ReadEndAsync(Socket socket) =>
        await socket.ReceiveAsync(new byte[16], SocketFlags.None).DefaultTimeout();

    /// <summary>One TCP link through a proxy: the client's socket, the server's accepted socket and the proxy's pair.</summary>
    private sealed class Link(TcpListener listener, FaultProxy proxy, Socket client, Socket server, FaultProxy.Pair pair) : IAsyncDisposable
    {
        public FaultProxy Proxy => proxy;

        public Socket Client => client;

        public Socket Server => server;

        public FaultProxy.Pair Pair => pair;

        public static async Task<Link> OpenAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var proxy = FaultProxy.Start((IPEndPoint)listener.LocalEndpoint);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(proxy.EndPoint).DefaultTimeout();
            var server = await listener.AcceptSocketAsync().DefaultTimeout();

            // The pair is registered once the proxy has connected to the target; a round trip proves it is pumping.
            await client.SendAsync("ping"u8.ToArray(), SocketFlags.None).DefaultTimeout();
            Assert.Equal("ping", await ReadAsync(server, 4));
            return new Link(listener, proxy, client, server, proxy.Pairs.Single());
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            server.Dispose();
            await proxy.DisposeAsync();
            listener.Stop();
        }
    }
}
