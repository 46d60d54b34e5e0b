using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tether.Interop.Tests;

/// <summary>The proxy itself, against a plain TCP echo server (no Tether involved).</summary>
public sealed class FaultProxyTests
{
    [Fact]
    public async Task ForwardsBothWaysAndCountsConnections()
    {
        await using var echo = TcpEcho.Start();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Connect(proxy);

        Assert.Equal("hello", await RoundTrip(client, "hello"));
        Assert.Equal(1, proxy.ConnectionCount);
        Assert.Equal(1, proxy.TotalAccepted);
    }

    [Fact]
    public async Task CutAllResetsLiveConnectionsAndNewOnesStillWork()
    {
        await using var echo = TcpEcho.Start();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var first = await Connect(proxy);
        Assert.Equal("one", await RoundTrip(first, "one"));

        Assert.Equal(1, proxy.CutAll());
        await AssertBroken(first);

        using var second = await Connect(proxy);
        Assert.Equal("two", await RoundTrip(second, "two"));
    }

    [Fact]
    public async Task RefuseNewResetsNewConnectionsOnly()
    {
        await using var echo = TcpEcho.Start();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var live = await Connect(proxy);
        Assert.Equal("live", await RoundTrip(live, "live"));

        proxy.RefuseNew = true;
        await AssertRefused(proxy);
        Assert.Equal("still", await RoundTrip(live, "still"));

        proxy.RefuseNew = false;
        using var accepted = await Connect(proxy);
        Assert.Equal("again", await RoundTrip(accepted, "again"));
    }

    [Fact]
    public async Task StallHoldsBytesUntilResume()
    {
        await using var echo = TcpEcho.Start();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Connect(proxy);
        Assert.Equal("before", await RoundTrip(client, "before"));

        proxy.Stall();
        Assert.True(proxy.IsStalled);
        await client.SendAsync(Encoding.UTF8.GetBytes("held"), SocketFlags.None).DefaultTimeout();
        var reply = Receive(client, 4);
        Assert.False(reply.IsCompleted);

        proxy.Resume();
        Assert.Equal("held", await reply.DefaultTimeout());
        Assert.False(proxy.IsStalled);
    }

    [Fact]
    public async Task RejectsNonLoopbackTargets()
    {
        Assert.Throws<ArgumentException>(() => FaultProxy.Start(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80)));
        await Task.CompletedTask;
    }

    private static async Task<Socket> Connect(FaultProxy proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(proxy.EndPoint).DefaultTimeout();
        return socket;
    }

    private static async Task<string> RoundTrip(Socket socket, string text)
    {
        var reply = Receive(socket, Encoding.UTF8.GetByteCount(text));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None).DefaultTimeout();
        return await reply.DefaultTimeout();
    }

    private static async Task<string> Receive(Socket socket, int length)
    {
        byte[] buffer = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("Connection closed.");
            }

            read += n;
        }

        return Encoding.UTF8.GetString(buffer);
    }

    /// <summary>A new connection is reset: the connect itself or the first read fails, depending on when the RST lands.</summary>
    private static async Task AssertRefused(FaultProxy proxy)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(proxy.EndPoint).DefaultTimeout();
        }
        catch (SocketException)
        {
            return;
        }

        await AssertBroken(socket);
    }

    /// <summary>The connection is reset: a read fails or ends, whatever the timing of the RST.</summary>
    private static async Task AssertBroken(Socket socket)
    {
        try
        {
            byte[] buffer = new byte[16];
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None).DefaultTimeout();
            Assert.Equal(0, n);
        }
        catch (SocketException)
        {
            // Reset by peer: what CutAll and RefuseNew do.
        }
    }

    /// <summary>A loopback TCP server that echoes every byte.</summary>
    private sealed class TcpEcho : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _cts = new();
        private readonly List<Socket> _sockets = [];
        private readonly Task _loop;

        private TcpEcho()
        {
            _listener.Start();
            EndPoint = (IPEndPoint)_listener.LocalEndpoint;
            _loop = Task.Run(Accept);
        }

        public IPEndPoint EndPoint { get; }

        public static TcpEcho Start() => new();

        public async ValueTask DisposeAsync()
        {
            _cts.Cancel();
            _listener.Stop();
            lock (_sockets)
            {
                _sockets.ForEach(s => s.Dispose());
            }

            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
            _cts.Dispose();
        }

        private async Task Accept()
        {
            while (!_cts.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_cts.Token);
                lock (_sockets)
                {
                    _sockets.Add(socket);
                }

                _ = Task.Run(async () =>
                {
                    byte[] buffer = new byte[1024];
                    try
                    {
                        int n;
                        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                        {
                            await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
                        }

                        socket.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception)
                    {
                        // Reset by the proxy.
                    }
                });
            }
        }
    }
}
