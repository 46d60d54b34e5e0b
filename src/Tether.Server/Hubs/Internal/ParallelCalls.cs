using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// The hub calls running on WebSocket connections: at most <c>limit</c> at once per connection. Starting a call waits
/// while all of its connection's slots are taken, which holds up that socket's read loop, so a client cannot start
/// more. A WebSocket request does not end (and its <see cref="HttpContext"/>, which running calls read, is not
/// recycled) until every call it started has finished.
/// </summary>
internal sealed class ParallelCalls(int limit)
{
    private readonly ConcurrentDictionary<HttpContext, ConnectionCalls> _connections = new();

    /// <summary>How many WebSocket requests have calls tracked (each until its request ends).</summary>
    public int TrackedConnections => _connections.Count;

    /// <summary>
    /// Waits for a free slot of the connection whose WebSocket request is <paramref name="context"/>, then starts
    /// <paramref name="call"/> without waiting for it to finish. Only that request's read loop calls this, one call
    /// after another.
    /// </summary>
    /// <param name="context">The WebSocket request.</param>
    /// <param name="call">Runs the call; must not throw (it reports its own failures).</param>
    public async Task StartAsync(HttpContext context, Func<Task> call)
    {
        if (!_connections.TryGetValue(context, out var calls))
        {
            calls = new ConnectionCalls(this, context, limit);
            _connections[context] = calls;
            context.Response.RegisterForDisposeAsync(calls);
        }

        await calls.Slots.WaitAsync().ConfigureAwait(false);
        _ = calls.RunAsync(call);
    }

    private sealed class ConnectionCalls(ParallelCalls owner, HttpContext context, int limit) : IAsyncDisposable
    {
        public SemaphoreSlim Slots { get; } = new(limit, limit);

        public async Task RunAsync(Func<Task> call)
        {
            try
            {
                await call().ConfigureAwait(false);
            }
            finally
            {
                Slots.Release();
            }
        }

        /// <summary>At the end of the request: waits until every running call has finished.</summary>
        public async ValueTask DisposeAsync()
        {
            for (int i = 0; i < limit; i++)
            {
                await Slots.WaitAsync().ConfigureAwait(false);
            }

            owner._connections.TryRemove(context, out _);
        }
    }
}
