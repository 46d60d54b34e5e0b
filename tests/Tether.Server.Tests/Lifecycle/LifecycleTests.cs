using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tether.Server.Messaging;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>
/// The connection lifecycle over real Kestrel: <c>OnConnected</c> at most once, <c>OnDisconnected</c> exactly once and
/// on the connection's own type, whatever the order of <c>/start</c>, <c>/abort</c> and receive requests.
/// </summary>
public sealed class LifecycleTests
{
    private static int Count(TestServer server, string connectionId, ConnectionEventKind kind) =>
        server.Events.For(connectionId).Count(e => e.Kind == kind);

    /// <summary>A test server whose bus fails publications while <see cref="FailingBus.Unavailable"/> is set.</summary>
    private static Task<TestServer> StartWithFailingBusAsync() =>
        TestServer.StartAsync(configureServices: s =>
        {
            s.TryAddSingleton<InMemoryMessageBus>();
            s.AddSingleton<FailingBus>();
            s.AddSingleton<IMessageBus>(sp => sp.GetRequiredService<FailingBus>());
        });

    [Fact]
    public async Task TokenOfAnotherEndpoint_IsRefused_AndRaisesNothingOnEither()
    {
        await using var server = await TestServer.StartAsync();
        using var events = new ProtocolClient(server, "/events");
        await events.ConnectLongPollingAsync();

        // An /events token on /broadcast and on /echo: another connection type, so another Data Protection purpose.
        using var foreign = new ProtocolClient(server, "/broadcast") { ConnectionToken = events.ConnectionToken };
        var abort = await foreign.AbortAsync(ProtocolClient.LongPolling);
        var start = await new ProtocolClient(server, "/echo") { ConnectionToken = events.ConnectionToken }.StartAsync(ProtocolClient.LongPolling);

        Assert.Equal(HttpStatusCode.BadRequest, abort.Status);
        Assert.Equal(HttpStatusCode.BadRequest, start.Status);
        await LifecycleServer.BarrierAsync(server);
        Assert.Equal(0, Count(server, events.ConnectionId, ConnectionEventKind.Disconnected));

        // The connection is untouched: its own abort still raises exactly one OnDisconnected(true).
        Assert.Equal(HttpStatusCode.OK, (await events.AbortAsync(ProtocolClient.LongPolling)).Status);
        Assert.True((await server.Events.WaitFor(ConnectionEventKind.Disconnected, events.ConnectionId).DefaultTimeout()).StopCalled);
    }

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task StartTwiceAndStartAfterAbort_RaiseOnConnectedOnce(string transport)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        await using var sse = transport == ProtocolClient.ServerSentEvents ? await client.OpenSseAsync() : null;
        using var ws = transport == ProtocolClient.WebSockets ? await client.OpenWebSocketAsync() : null;
        if (transport == ProtocolClient.LongPolling)
        {
            await client.LongPollAsync("connect");
        }
        else if (ws is not null)
        {
            await ws.ReceiveAsync();
        }
        else
        {
            await sse!.ReadEventAsync();
        }

        await client.StartAsync(transport);
        await client.StartAsync(transport);
        await client.AbortAsync(transport);
        var late = await client.StartAsync(transport);

        Assert.Equal(HttpStatusCode.OK, late.Status);
        Assert.Equal("{ \"Response\": \"started\" }", late.Body);
        await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();
        await LifecycleServer.BarrierAsync(server);
        Assert.Equal(1, Count(server, client.ConnectionId, ConnectionEventKind.Connected));
        Assert.Equal(1, Count(server, client.ConnectionId, ConnectionEventKind.Disconnected));
        var events = server.Events.For(client.ConnectionId);
        Assert.True(events.ToList().FindIndex(e => e.Kind == ConnectionEventKind.Connected) < events.ToList().FindIndex(e => e.Kind == ConnectionEventKind.Disconnected));
    }

    [Fact]
    public async Task StartAndAbortOfConnectionsThatNeverConnected_RaiseNothing()
    {
        // Classic statuses: /start answers "started", /abort 200; no handler runs for an id with no receive request.
        await using var server = await TestServer.StartAsync();
        List<string> ids = [];
        for (int i = 0; i < 200; i++)
        {
            using var client = new ProtocolClient(server, "/events");
            await client.NegotiateOrFailAsync();
            Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(ProtocolClient.ServerSentEvents)).Status);
            Assert.Equal(HttpStatusCode.OK, (await client.AbortAsync(ProtocolClient.ServerSentEvents)).Status);
            ids.Add(client.ConnectionId);
        }

        // Nothing was kept for them either.
        Assert.Equal(0, server.Services.GetRequiredService<Internal.ConnectionManager>().Count);
        await LifecycleServer.BarrierAsync(server);
        Assert.Equal(0, server.Events.Snapshot().Count(e => ids.Contains(e.ConnectionId)));
    }

    [Fact]
    public async Task PollThatArrivesAfterAbort_GetsAnOrdinaryAnswer_PollAfterTimeout_GetsTheError()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(1.5);
            o.KeepAlive = null;
        });
        using var stopped = new ProtocolClient(server, "/events");
        await stopped.ConnectLongPollingAsync();
        using var quiet = new ProtocolClient(server, "/events");
        await quiet.ConnectLongPollingAsync();

        // The client's poll was on its way when its /abort landed: it gets an empty answer, not the error of a timeout.
        await stopped.AbortAsync(ProtocolClient.LongPolling);
        var late = await stopped.LongPollAsync("poll", stopped.MessageId);
        await server.Events.WaitFor(ConnectionEventKind.Disconnected, quiet.ConnectionId).DefaultTimeout();
        var afterTimeout = await quiet.LongPollAsync("poll", quiet.MessageId);

        Assert.Equal(HttpStatusCode.OK, late.Status);
        Assert.Empty(late.Envelope!.M);
        Assert.DoesNotContain("\"E\"", late.Body);
        Assert.Equal(HttpStatusCode.OK, afterTimeout.Status);
        Assert.Contains("\"E\"", afterTimeout.Body);
        Assert.Equal(1, Count(server, stopped.ConnectionId, ConnectionEventKind.Disconnected));
        Assert.Equal(1, Count(server, quiet.ConnectionId, ConnectionEventKind.Disconnected));
    }

    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    public async Task AbortWhileTheBusIsDown_RaisesOnDisconnectedOnce_AndFails(string transport)
    {
        // The choice: a connection this node knows is stopped and OnDisconnected(true) raised at once, even when the
        // abort command cannot be published; the request then fails with 503 and a retry raises nothing more.
        await using var server = await StartWithFailingBusAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        await using var sse = transport == ProtocolClient.ServerSentEvents ? await client.OpenSseAsync() : null;
        if (sse is null)
        {
            await client.LongPollAsync("connect");
        }
        else
        {
            await sse.ReadEventAsync();
        }

        await client.StartAsync(transport);
        var bus = server.Services.GetRequiredService<FailingBus>();
        bus.Unavailable = true;
        var failed = await client.AbortAsync(transport);
        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();
        bus.Unavailable = false;
        var retried = await client.AbortAsync(transport);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.True(disconnected.StopCalled);
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        if (sse is not null)
        {
            Assert.True(await sse.WaitForEndAsync());
        }

        await LifecycleServer.BarrierAsync(server);
        Assert.Equal(1, Count(server, client.ConnectionId, ConnectionEventKind.Disconnected));
    }

    [Fact]
    public async Task StartOfAConnectionHeldElsewhere_WhileTheBusIsDown_Is503_AndRaisesNothing()
    {
        // A /start for a connection this node does not hold goes to the other nodes as a command; when the bus cannot
        // take it the client is told to retry, and nothing is raised here.
        await using var server = await StartWithFailingBusAsync();
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        var bus = server.Services.GetRequiredService<FailingBus>();
        bus.Unavailable = true;

        var start = await client.StartAsync(ProtocolClient.LongPolling);
        bus.Unavailable = false;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, start.Status);
        await LifecycleServer.BarrierAsync(server);
        Assert.Equal(0, Count(server, client.ConnectionId, ConnectionEventKind.Connected));
    }

    [Fact]
    public async Task DisconnectAfterTimeout_SeesTheLastReceiveRequest()
    {
        await using var server = await LifecycleServer.StartAsync(o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(1.5);
            o.KeepAlive = null;
        });
        using var client = new ProtocolClient(server, "/tagged");
        await client.NegotiateOrFailAsync();
        var connect = await client.SendRequestAsync(HttpMethod.Post, client.Url("connect", ProtocolClient.LongPolling, extraQuery: "tag=first"), ProtocolClient.DotNetEmptyBody());
        string cursor = Envelope.TryParse(connect.Body)!.C!;

        // A message waits, so the second receive request is answered at once; then the client goes quiet.
        await Expect.ServerSend<TaggedConnection>(server, client.ConnectionId, "waiting");
        var poll = await client.SendRequestAsync(HttpMethod.Post, client.Url("poll", ProtocolClient.LongPolling, cursor, extraQuery: "tag=second"), ProtocolClient.DotNetEmptyBody());
        Assert.Equal(["waiting"], Envelope.TryParse(poll.Body.TrimStart(' '))!.M);

        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();

        Assert.False(disconnected.StopCalled);
        Assert.Equal("second", disconnected.Data);
    }
}
