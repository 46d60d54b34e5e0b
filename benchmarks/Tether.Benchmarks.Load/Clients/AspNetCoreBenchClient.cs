using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Tether.Benchmarks.Load.Clients;

/// <summary>ASP.NET Core SignalR 10's .NET client against the hub at <c>/hub</c> (JSON protocol).</summary>
internal sealed class AspNetCoreBenchClient(Uri baseUri, string transport) : IBenchClient
{
    private readonly HubConnection _connection = new HubConnectionBuilder()
        .WithUrl(new Uri(baseUri, "hub"), transport switch
        {
            Target.WebSockets => HttpTransportType.WebSockets,
            Target.ServerSentEvents => HttpTransportType.ServerSentEvents,
            _ => HttpTransportType.LongPolling,
        })
        .Build();

    public Task ConnectAsync(Action<string> received, CancellationToken cancellationToken)
    {
        _connection.On("echo", received);
        return _connection.StartAsync(cancellationToken);
    }

    public Task SendAsync(string text) => _connection.SendAsync("Echo", text);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
