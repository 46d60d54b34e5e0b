using System.Net;
using System.Net.Sockets;

namespace Tether.Tests.Utils;

/// <summary>
/// A TCP proxy on 127.0.0.1 that forwards to a loopback target and can break the link on demand: cut every connection
/// (<see cref="CutAll"/>), freeze traffic without closing anything (<see cref="Stall"/> / <see cref="Resume"/>) and
/// refuse new connections (<see cref="RefuseNew"/>); one connection can also be drained or half-closed
/// (<see cref="Pair.Break"/>). Each accepted connection gets one pump per direction.
/// </summary>
/// <remarks>
/// Loopback only and bounded: at most <see cref="MaxConnections"/> live pairs; connections beyond that are reset.
/// A refused or cut connection is reset (RST), so the client sees a broken link at once rather than a clean close.
/// </remarks>
public sealed partial class FaultProxy : IAsyncDisposable
{
    /// <summary>The largest number of live connection pairs; more are reset on accept.</summary>
    public const int MaxConnections = 256;

    private const int BufferSize = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly object _lock = new();
    private readonly HashSet<Pair> _pairs = [];
    private readonly List<(int Total, TaskCompletionSource Tcs)> _refusalWaiters = [];
    private readonly Task _acceptLoop;
    private TaskCompletionSource _flowing = CompletedGate();
    private volatile bool _refuseNew;
    private int _connecting;
    private int _accepted;
    private int _refused;
    private int _cuts;

    private FaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 64);
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        BaseUri = new Uri($"http://127.0.0.1:{EndPoint.Port}/");
        _acceptLoop = Task.Run(AcceptLoop);
    }

    /// <summary>The proxy's listening endpoint.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The proxy's root, e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The number of live connection pairs.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _pairs.Count;
            }
        }
    }

    /// <summary>How many connections were forwarded since the start (refused ones excluded).</summary>
    public int TotalAccepted
    {
        get
        {
            lock (_lock)
            {
                return _accepted;
            }
        }
    }

    /// <summary>How many connections were reset on accept (by <see cref="RefuseNew"/> or the connection bound).</summary>
    public int TotalRefused
    {
        get
        {
            lock (_lock)
            {
                return _refused;
            }
        }
    }

    /// <summary>Completes once <see cref="TotalRefused"/> has reached <paramref name="total"/>.</summary>
    public Task WaitForRefused(int total)
    {
        lock (_lock)
        {
            if (_refused >= total)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _refusalWaiters.Add((total, tcs));
            return tcs.Task;
        }
    }

    /// <summary>While <see langword="true"/>, new connections are accepted and reset at once; live ones are untouched.</summary>
    public bool RefuseNew
    {
        get => _refuseNew;
        set => _refuseNew = value;
    }

    /// <summary>Whether <see cref="Stall"/> is in force.</summary>
    public bool IsStalled
    {
        get
        {
            lock (_lock)
            {
                return !_flowing.Task.IsCompleted;
            }
        }
    }

    /// <summary>Starts a proxy to a loopback endpoint.</summary>
    public static FaultProxy Start(IPEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!IPAddress.IsLoopback(target.Address))
        {
            throw new ArgumentException($"FaultProxy only forwards to loopback addresses, not {target}.", nameof(target));
        }

        return new FaultProxy(target);
    }

    /// <summary>Starts a proxy to the server of a loopback URL, e.g. a <see cref="TestServer.BaseUri"/>.</summary>
    public static FaultProxy Start(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var address = target.IsLoopback && !IPAddress.TryParse(target.Host, out _) ? IPAddress.Loopback : IPAddress.Parse(target.Host);
        return Start(new IPEndPoint(address, target.Port));
    }

    /// <summary>An absolute URL through the proxy, e.g. <c>Url("/echo")</c>.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    /// <summary>Resets both sockets of every live connection pair.</summary>
    /// <returns>How many pairs were cut.</returns>
    public int CutAll()
    {
        Pair[] pairs;
        lock (_lock)
        {
            // Connections still being connected to the target when the cut happens are reset too (see ConnectAndPump).
            _cuts++;
            pairs = [.. _pairs];
        }

        foreach (var pair in pairs)
        {
            pair.Abort();
        }

        return pairs.Length;
    }

    /// <summary>Stops forwarding bytes in both directions, on live and new connections, without closing anything.</summary>
    public void Stall()
    {
        lock (_lock)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Forwards again what <see cref="Stall"/> held back.</summary>
    public void Resume()
    {
        lock (_lock)
        {
            _flowing.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposeCts.IsCancellationRequested)
        {
            return;
        }

        _disposeCts.Cancel();
        _listener.Stop();
        Resume();
        CutAll();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop ends by an exception when the listener stops; nothing to report.
        }

        Task[] pumps;
        lock (_lock)
        {
            pumps = [.. _pairs.Select(p => p.Completion)];
        }

        await Task.WhenAll(pumps).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _disposeCts.Dispose();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
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

    private Task WhenFlowing(CancellationToken cancellationToken)
    {
        Task gate;
        lock (_lock)
        {
            gate = _flowing.Task;
        }

        return gate.IsCompleted ? Task.CompletedTask : gate.WaitAsync(cancellationToken);
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

            int cuts;
            bool refuse;
            lock (_lock)
            {
                refuse = _refuseNew || _pairs.Count + _connecting >= MaxConnections;
                cuts = _cuts;
                if (!refuse)
                {
                    _connecting++;
                }
            }

            if (refuse)
            {
                Reset(client);
                Refused();
                continue;
            }

            _ = ConnectAndPump(client, cuts, token);
        }
    }

    private async Task ConnectAndPump(Socket client, int cutsAtAccept, CancellationToken token)
    {
        var server = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        bool connected = false;
        try
        {
            client.NoDelay = true;
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            await server.ConnectAsync(_target, connectTimeout.Token).ConfigureAwait(false);
            connected = true;
        }
        catch (Exception)
        {
            // The target is down or the proxy is being disposed: reset the client below.
        }

        Pair? pair = null;
        lock (_lock)
        {
            _connecting--;

            // A connection accepted before a CutAll that was still connecting to the target is cut as well.
            if (connected && !token.IsCancellationRequested && _cuts == cutsAtAccept)
            {
                pair = new Pair(this, client, server, token);
                _pairs.Add(pair);
                _accepted++;
            }
        }

        if (pair is null)
        {
            Reset(server);
            Reset(client);
            return;
        }

        pair.Start();
    }

    private void Refused()
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            _refused++;
            _refusalWaiters.RemoveAll(w =>
            {
                if (w.Total > _refused)
                {
                    return false;
                }

                done.Add(w.Tcs);
                return true;
            });
        }

        done.ForEach(tcs => tcs.TrySetResult());
    }

    private void Remove(Pair pair)
    {
        lock (_lock)
        {
            _pairs.Remove(pair);
        }
    }
}
