using Tether.Client;
using Tether.Client.Transports;

namespace Tether.Benchmarks.Load.Clients;

/// <summary>Tether.Client against Tether.Server's <c>/tether</c>.</summary>
internal sealed class TetherBenchClient(Uri baseUri, string transport) : IBenchClient
{
    private readonly Connection _connection = new(new Uri(baseUri, "tether").ToString());

    public Task ConnectAsync(Action<string> received, CancellationToken cancellationToken)
    {
        _connection.Received += received;
        IClientTransport chosen = transport switch
        {
            Target.WebSockets => new WebSocketTransport(),
            Target.ServerSentEvents => new ServerSentEventsTransport(),
            _ => new LongPollingTransport(),
        };
        return _connection.StartAsync(chosen, cancellationToken);
    }

    public Task SendAsync(string text) => _connection.Send(text);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
