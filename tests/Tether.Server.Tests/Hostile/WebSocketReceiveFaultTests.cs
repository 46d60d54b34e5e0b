using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Tether.Server.Messaging;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// Over WebSockets, <c>OnReceived</c> runs in the transport's read loop, not in a request: a bus that is unavailable
/// there is an expected operational fault (Warning), any other exception stays an Error, and the connection goes on.
/// </summary>
public sealed class WebSocketReceiveFaultTests
{
    [Fact]
    public async Task OnReceived_BusUnavailable_IsAWarning_OtherFaultsStayErrors()
    {
        var logs = new LogCollector();
        await using var server = await TestServer.StartAsync(configureServices: logs.AddTo, configureApp: app => app.MapPersistentConnection<FaultyReceiveConnection>("/faulty"));
        using var client = new ProtocolClient(server, "/faulty");
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();

        foreach (string data in new[] { "down", "wrapped", "boom", "down" })
        {
            await ws.SendTextAsync(data);
        }

        // The read loop handles messages one by one: once "ok" is echoed, every fault before it has been logged.
        await ws.SendTextAsync("ok");
        var frames = await ws.ReadUntilAsync(m => m.Contains("ok"));
        Assert.Equal(["ok"], frames.SelectMany(f => f.M));

        var entries = logs.Entries;
        var unavailable = entries.Where(e => e.Id.Name == "ReceiveBusUnavailable").ToList();
        Assert.Equal(3, unavailable.Count);
        Assert.All(unavailable, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.All(unavailable, e => Assert.IsType<MessageBusUnavailableException>(e.Exception));
        var errors = entries.Where(e => e.Level >= LogLevel.Error).ToList();
        var failed = Assert.Single(errors);
        Assert.Equal("ReceiveHandlerFailed", failed.Id.Name);
        Assert.IsType<InvalidOperationException>(failed.Exception);
    }
}

/// <summary>
/// <c>down</c> throws the bus's exception, <c>wrapped</c> throws it inside another, <c>boom</c> throws a plain bug;
/// anything else is echoed.
/// </summary>
public sealed class FaultyReceiveConnection : PersistentConnection
{
    protected internal override Task OnReceived(IRequest request, string connectionId, string? data) => data switch
    {
        "down" => Task.FromException(new MessageBusUnavailableException("The test bus is down.")),
        "wrapped" => Task.FromException(new InvalidOperationException("Send failed.", new MessageBusUnavailableException("down"))),
        "boom" => Task.FromException(new InvalidOperationException("A bug in OnReceived.")),
        _ => Connection.Send(connectionId, data),
    };
}
