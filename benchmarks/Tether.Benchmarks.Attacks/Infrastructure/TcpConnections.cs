using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>Kestrel connection middleware that tells when the server has ended the TCP connection of a client endpoint.</summary>
internal sealed class TcpConnections
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _closed = new();

    public ConnectionDelegate Track(ConnectionDelegate next) => async context =>
    {
        var closed = Closed(context.RemoteEndPoint);
        try
        {
            await next(context);
        }
        finally
        {
            closed.TrySetResult();
        }
    };

    /// <summary>Completes when the server is done with the connection from <paramref name="client"/>.</summary>
    public TaskCompletionSource Closed(EndPoint? client) =>
        _closed.GetOrAdd(client?.ToString() ?? string.Empty, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
