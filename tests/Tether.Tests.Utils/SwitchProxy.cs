using System.Net;
using System.Net.Sockets;

namespace Tether.Tests.Utils;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of several loopback servers: new connections go to the current target, which
/// <see cref="SwitchTo(Uri)"/> changes; <see cref="CutAll"/> resets the live ones, so a client reconnects, to the new
/// target. It stands for a load balancer that moves a client from one server node to another.
/// </summary>
/// <remarks>Loopback only, bounded to <see cref="MaxConnections"/> live pairs (more are reset on accept).</remarks>
public sealed class SwitchProxy : IAsyncDisposable
{
    /// <summary>The largest number of live connection pairs.</summary>
    public const int MaxConnections = 256;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly object _lock = new();
    private readonly HashSet<(Socket Client, Socket Server)> _pairs = [];
    private readonly Task _acceptLoop;
    private IPEndPoint _target;
    private bool _refuseNew;
    private int _cuts;

    private SwitchProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 64);
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = Task.Run(AcceptLoop);
    }

    /// <summary>The proxy's root, e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The endpoint new connections go to.</summary>
    public IPEndPoint Target
    {
        get
        {
            lock (_lock)
            {
                return _target;
            }
        }
    }

    /// <summary>Starts a proxy to the server of a loopback URL.</summary>
    public static SwitchProxy Start(Uri target) => new(ToEndPoint(target));

    /// <summary>An absolute URL through the proxy.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    /// <summary>Sends new connections to another loopback server; live ones stay where they are.</summary>
    public void SwitchTo(Uri target)
    {
        var endPoint = ToEndPoint(target);
        lock (_lock)
        {
            _target = endPoint;
        }
    }

    /// <summary>
    /// While true, new connections are reset as soon as they are accepted (checked under the same lock as
    /// <see cref="CutAll"/>, so a connection accepted before the flag was set and still connecting is refused too).
    /// Set it, switch and cut to make sure a client notices the move: a long-polling client between two polls would
    /// otherwise just send its next poll to the new target without reconnecting.
    /// </summary>
    public bool RefuseNew
    {
        get
        {
            lock (_lock)
            {
                return _refuseNew;
            }
        }

        set
        {
            lock (_lock)
            {
                _refuseNew = value;
            }
        }
    }

    /// <summary>Resets every live connection pair.</summary>
    /// <returns>How many were cut.</returns>
    public int CutAll()
    {
        (Socket, Socket)[] pairs;
        lock (_lock)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
            _cuts++;
        }

        foreach (var (client, server) in pairs)
        {
            Reset(client);
            Reset(server);
        }

        return pairs.Length;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposeCts.IsCancellationRequested)
        {
            return;
        }

        _disposeCts.Cancel();
        _listener.Stop();
        CutAll();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop ends by an exception when the listener stops.
        }

        _disposeCts.Dispose();
    }

    private static IPEndPoint ToEndPoint(Uri target)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            throw new ArgumentException($"SwitchProxy only forwards to loopback addresses, not {target}.", nameof(target));
        }

        return endPoint;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception)
        {
            // Already closed.
        }

        socket.Dispose();
    }

    private async Task AcceptLoop()
    {
        var token = _disposeCts.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            IPEndPoint target;
            int cutsAtAccept;
            lock (_lock)
            {
                target = _target;
                cutsAtAccept = _cuts;
            }

            _ = ConnectAndPump(client, target, cutsAtAccept, token);
        }
    }

    private async Task ConnectAndPump(Socket client, IPEndPoint target, int cutsAtAccept, CancellationToken token)
    {
        client.NoDelay = true;
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await server.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Reset(server);
            Reset(client);
            return;
        }

        lock (_lock)
        {
            // A connection accepted before a cut (perhaps for the old target) and still connecting is cut as well.
            if (token.IsCancellationRequested || _refuseNew || _cuts != cutsAtAccept || _pairs.Count >= MaxConnections)
            {
                Reset(server);
                Reset(client);
                return;
            }

            _pairs.Add((client, server));
        }

        await Task.WhenAll(Pump(client, server, token), Pump(server, client, token)).ConfigureAwait(false);
        lock (_lock)
        {
            _pairs.Remove((client, server));
        }

        client.Dispose();
        server.Dispose();
    }

    private static async Task Pump(Socket from, Socket to, CancellationToken token)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                int sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception)
        {
            // A reset or a cut: the other pump ends too once its socket is reset.
            Reset(from);
            Reset(to);
        }
    }
}
