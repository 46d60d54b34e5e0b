using Microsoft.AspNet.SignalR.Client;
using Microsoft.AspNet.SignalR.Client.Transports;

namespace Tether.Benchmarks.Load.Clients;

/// <summary>The official classic .NET client 2.4.2 against Tether.Server's <c>/tether</c>.</summary>
internal sealed class ClassicBenchClient(Uri baseUri, string transport) : IBenchClient
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
        return _connection.Start(chosen).WaitAsync(cancellationToken);
    }

    public Task SendAsync(string text) => _connection.Send(text);

    public ValueTask DisposeAsync()
    {
        _connection.Stop(TimeSpan.FromSeconds(2));
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }
}
