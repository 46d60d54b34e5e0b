using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tether.Server.Messaging;
using Tether.Server.Tests.Lifecycle;
using Tether.Server.Diagnostics;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Diagnostics;

/// <summary>The <c>Tether.Server</c> meter read with a <see cref="MeterListener"/> while real clients connect, send and stop.</summary>
public sealed class ServerMetricsTests
{
    private const string Transport = "tether.transport";
    private const string Type = "tether.connection_type";

    /// <summary>Listens to the meter of one server only (tests run in parallel, each server has its own meter).</summary>
    internal static MetricRecorder Record(TestServer server)
    {
        var factory = server.Services.GetRequiredService<IMeterFactory>();
        return new MetricRecorder(i => i.Meter.Name == TetherServerDiagnostics.MeterName && ReferenceEquals(i.Meter.Scope, factory));
    }

    /// <summary>
    /// Opens a connection on <paramref name="transport"/> the way the .NET client does; the stream or socket stays open
    /// until the result is disposed, and its <c>Send</c> sends as that transport's clients do.
    /// </summary>
    internal static async Task<OpenConnection> ConnectAsync(ProtocolClient client, string transport)
    {
        await client.NegotiateOrFailAsync();
        OpenConnection open;
        switch (transport)
        {
            case ProtocolClient.LongPolling:
                await client.LongPollAsync("connect");
                open = new OpenConnection(null, SendOverHttp(client, transport));
                break;
            case ProtocolClient.ServerSentEvents:
                var sse = await client.OpenSseAsync();
                await sse.ReadEventAsync();
                open = new OpenConnection(sse.DisposeAsync, SendOverHttp(client, transport));
                break;
            default:
                var ws = await client.OpenWebSocketAsync();
                await ws.ReceiveAsync();
                open = new OpenConnection(() => { ws.Dispose(); return default; }, data => ws.SendTextAsync(data));
                break;
        }

        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(transport)).Status);
        return open;
    }

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task ThreeConnectionsThatSendAndStop_AreCountedOnce_AndCurrentReturnsToZero(string transport)
    {
        await using var server = await TestServer.StartAsync();
        using var metrics = Record(server);
        const int count = 3;
        for (int i = 0; i < count; i++)
        {
            using var client = new ProtocolClient(server, "/events");
            await using var open = await ConnectAsync(client, transport);
            Assert.Equal(1, metrics.Sum("tether.server.connections.current", (Transport, transport), (Type, typeof(EventsConnection).FullName)));

            await open.Send("hello " + i);
            await metrics.WaitUntilAsync(m => m.Sum("tether.server.messages.received") == i + 1, "the message received");
            Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(transport)).Status);
            Assert.Equal(0, metrics.Sum("tether.server.connections.current"));
        }

        await metrics.WaitUntilAsync(m => m.Sum("tether.server.connections.current") == 0, "current connections back to 0");
        Assert.Equal(count, metrics.Sum("tether.server.negotiations"));
        Assert.Equal(count, metrics.Sum("tether.server.connections.connected", (Transport, transport)));
        Assert.Equal(count, metrics.Sum("tether.server.connections.disconnected", (Transport, transport), ("tether.reason", "stopped")));
        Assert.Equal(count, metrics.Sum("tether.server.receive_requests", (Transport, transport), ("tether.request_kind", "connect")));
        Assert.Equal(count, metrics.Sum("tether.server.messages.received", (Type, typeof(EventsConnection).FullName)));
        Assert.Equal(0, metrics.Sum("tether.server.connections.reconnected"));
        Assert.Empty(metrics.Of("tether.server.errors"));
    }

    [Fact]
    public async Task AnEchoOverWebSockets_CountsTheReceivedSentAndDeliveredMessage()
    {
        await using var server = await TestServer.StartAsync();
        using var metrics = Record(server);
        using var client = new ProtocolClient(server, "/echo");
        await client.NegotiateOrFailAsync();
        using var ws = await client.OpenWebSocketAsync();
        await ws.ReceiveAsync();

        await ws.SendTextAsync("ping");
        await metrics.WaitUntilAsync(m => m.Sum("tether.server.messages.delivered", (Transport, ProtocolClient.WebSockets)) == 1, "the echo delivered");

        Assert.Equal(1, metrics.Sum("tether.server.messages.received", (Transport, ProtocolClient.WebSockets)));
        Assert.Equal(1, metrics.Sum("tether.server.messages.sent", (Type, typeof(EchoConnection).FullName)));
    }

    [Fact]
    public async Task AReconnect_IsCounted_AndTheConnectionStaysCurrentOnce()
    {
        await using var server = await TestServer.StartAsync();
        using var metrics = Record(server);
        using var client = new ProtocolClient(server, "/events");
        await client.ConnectLongPollingAsync();

        // The second reconnect replaces the first, which is answered; the abort answers the second.
        using var first = client.BeginLongPoll("reconnect", client.MessageId);
        using var second = client.BeginLongPoll("reconnect", client.MessageId);
        await metrics.WaitUntilAsync(m => m.Sum("tether.server.connections.reconnected", (Transport, ProtocolClient.LongPolling)) == 2, "two reconnects");
        Assert.Equal(1, metrics.Sum("tether.server.connections.current"));
        Assert.Equal(1, metrics.Sum("tether.server.connections.connected"));

        Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(ProtocolClient.LongPolling)).Status);
        await first.CompleteAsync();
        await second.CompleteAsync();
        Assert.Equal(0, metrics.Sum("tether.server.connections.current"));
        Assert.Equal(1, metrics.Sum("tether.server.connections.disconnected", ("tether.reason", "stopped")));
    }

    [Fact]
    public async Task BufferedBytes_AreObserved_AgainstTheBudget()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxBufferedBytes = o.MaxTopicBufferBytes = 4096);
        using var metrics = Record(server);
        using var client = new ProtocolClient(server, "/echo");
        await client.ConnectLongPollingAsync();
        Assert.Equal(4096, metrics.Latest("tether.server.buffer.limit"));
        double before = metrics.Latest("tether.server.buffer.bytes");

        var context = server.Services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>();
        await context.Connection.Broadcast(new string('x', 1000)).DefaultTimeout();

        Assert.Equal(before + 1002, metrics.Latest("tether.server.buffer.bytes"));
        Assert.Equal(0, metrics.Latest("tether.server.buffer.evicted"));
    }

    [Fact]
    public async Task ASendTheBackplaneCannotTake_IsCountedAsAnError()
    {
        await using var server = await TestServer.StartAsync(configureServices: s =>
        {
            s.TryAddSingleton<InMemoryMessageBus>();
            s.AddSingleton<FailingBus>();
            s.AddSingleton<IMessageBus>(sp => sp.GetRequiredService<FailingBus>());
        });
        using var metrics = Record(server);
        using var client = new ProtocolClient(server, "/broadcast");
        await client.ConnectLongPollingAsync();

        server.Services.GetRequiredService<FailingBus>().Unavailable = true;
        var reply = await client.SendDotNetAsync(ProtocolClient.LongPolling, "lost");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
        Assert.Equal(1, metrics.Sum("tether.server.errors", ("error.type", "backplane_unavailable")));
        Assert.Equal(1, metrics.Sum("tether.server.messages.received"));
    }

    private static Func<string, Task> SendOverHttp(ProtocolClient client, string transport) => async data =>
        Assert.Equal(HttpStatusCode.OK, (await client.SendDotNetAsync(transport, data)).Status);

    /// <summary>An open connection: what closes it, and how its client sends.</summary>
    internal sealed record OpenConnection(Func<ValueTask>? Close, Func<string, Task> Send) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Close?.Invoke() ?? default;
    }
}
