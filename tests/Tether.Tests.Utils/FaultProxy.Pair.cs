using System.Net.Sockets;

namespace Tether.Tests.Utils;

/// <summary>How a <see cref="FaultProxy.Pair"/> is broken.</summary>
public enum ProxyFault
{
    /// <summary>Both sockets are reset (RST) at once; bytes in flight are lost.</summary>
    Reset,

    /// <summary>What was read is forwarded, then both sides get a clean end of stream (FIN) and the pair closes.</summary>
    Drain,

    /// <summary>The client-to-server direction ends with a FIN to the server; the other direction keeps flowing.</summary>
    HalfCloseToServer,

    /// <summary>The server-to-client direction ends with a FIN to the client; the other direction keeps flowing.</summary>
    HalfCloseToClient,
}

public sealed partial class FaultProxy
{
    /// <summary>The live connection pairs, at this moment.</summary>
    public IReadOnlyList<Pair> Pairs
    {
        get
        {
            lock (_lock)
            {
                return [.. _pairs];
            }
        }
    }

    /// <summary>Breaks every live connection pair in the given way.</summary>
    /// <returns>How many pairs were broken.</returns>
    public int CutAll(ProxyFault fault)
    {
        if (fault == ProxyFault.Reset)
        {
            return CutAll();
        }

        var pairs = Pairs;
        foreach (var pair in pairs)
        {
            pair.Break(fault);
        }

        return pairs.Count;
    }

    /// <summary>One proxied connection: a client socket, a server socket and a pump in each direction.</summary>
    public sealed class Pair
    {
        private readonly FaultProxy _proxy;
        private readonly Socket _client;
        private readonly Socket _server;
        private readonly CancellationTokenSource _cts;
        private readonly CancellationTokenSource _stopToServer;
        private readonly CancellationTokenSource _stopToClient;
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _aborted;
        private int _pumpsLeft = 2;

        internal Pair(FaultProxy proxy, Socket client, Socket server, CancellationToken proxyToken)
        {
            _proxy = proxy;
            _client = client;
            _server = server;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(proxyToken);
            _stopToServer = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
            _stopToClient = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
        }

        /// <summary>Completes once both directions have ended and the pair is forgotten.</summary>
        public Task Completion => _completion.Task;

        internal void Start()
        {
            _ = Pump(_client, _server, _stopToServer.Token);
            _ = Pump(_server, _client, _stopToClient.Token);
        }

        /// <summary>Breaks this pair in the given way.</summary>
        public void Break(ProxyFault fault)
        {
            switch (fault)
            {
                case ProxyFault.Reset:
                    Abort();
                    break;
                case ProxyFault.Drain:
                    Stop(_stopToServer);
                    Stop(_stopToClient);
                    break;
                case ProxyFault.HalfCloseToServer:
                    Stop(_stopToServer);
                    break;
                case ProxyFault.HalfCloseToClient:
                    Stop(_stopToClient);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
            }
        }

        /// <summary>Resets both sockets and stops both pumps.</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0)
            {
                return;
            }

            Stop(_cts);
            Reset(_client);
            Reset(_server);
        }

        private static void Stop(CancellationTokenSource cts)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Both pumps already ended.
            }
        }

        private async Task Pump(Socket from, Socket to, CancellationToken stop)
        {
            byte[] buffer = new byte[BufferSize];
            var token = _cts.Token;
            bool clean = false;
            try
            {
                while (true)
                {
                    // A stop (drain or half-close) takes effect between reads: what was read is still forwarded whole.
                    await _proxy.WhenFlowing(stop).ConfigureAwait(false);
                    int read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, stop).ConfigureAwait(false);
                    await _proxy.WhenFlowing(token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        // Forward the half-close; the other direction goes on until it ends too.
                        to.Shutdown(SocketShutdown.Send);
                        clean = true;
                        break;
                    }

                    int sent = 0;
                    while (sent < read)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !token.IsCancellationRequested)
            {
                // Drained or half-closed: end this direction with a FIN.
                clean = TryShutdownSend(to);
            }
            catch (Exception)
            {
                // A reset, a cut or the proxy's disposal: the whole pair goes.
            }

            if (!clean)
            {
                Abort();
            }

            if (Interlocked.Decrement(ref _pumpsLeft) == 0)
            {
                // Both directions ended: close what is left (gracefully, if nothing was reset) and forget the pair.
                if (Volatile.Read(ref _aborted) == 0)
                {
                    _client.Dispose();
                    _server.Dispose();
                }

                _stopToServer.Dispose();
                _stopToClient.Dispose();
                _cts.Dispose();
                _proxy.Remove(this);
                _completion.TrySetResult();
            }
        }

        private static bool TryShutdownSend(Socket socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }
    }
}
