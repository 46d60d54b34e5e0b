using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Tether.Redis.Tests;

/// <summary>
/// <c>OnConnected</c> and <c>OnDisconnected</c> stay exactly once per connection id across nodes. A <c>/start</c> that
/// reaches node B while node A holds the connection raises <c>OnConnected</c> on A. <c>/abort</c> reaches node B, which never
/// saw the connection, while its receive request is on node A (or while it has none, between long polls): B raises
/// nothing (it cannot tell the id from one that never connected) and publishes the abort; A, the node that knows the
/// connection, ends the request and raises <c>OnDisconnected(stopCalled: true)</c> once — at once for a live request,
/// at its disconnect timeout otherwise. A client that moves from node A to node B is not reported disconnected by A; B
/// reports it when it stops.
/// </summary>
public sealed class DisconnectAcrossNodesTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(1.5);

    private static void ShortTimeouts(Tether.Server.PersistentConnectionOptions options)
    {
        options.DisconnectTimeout = DisconnectTimeout;
        options.KeepAlive = null;
    }

    [Fact]
    public async Task AbortOnNodeBEndsTheStreamOnNodeAAndDisconnectsOnce()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2, ShortTimeouts);
        using var http = new HttpClient();
        var connection = await Negotiate(http, cluster[0]);
        using var stream = await OpenStream(http, cluster[0], connection);
        await Start(http, cluster[0], connection);

        await Abort(http, cluster[1], connection);

        // Node A ends the live request and raises the event as soon as the abort command reaches it.
        var stopped = await cluster[0].Events.WaitFor(ConnectionEventKind.Disconnected, connection.Id).DefaultTimeout();
        Assert.True(stopped.StopCalled);
        await ReadToEnd(stream).DefaultTimeout();

        await AllDueDisconnectsRaised(http, cluster[0], "serverSentEvents");
        Assert.DoesNotContain(cluster[1].Events.For(connection.Id), e => e.Kind == ConnectionEventKind.Disconnected);
        Assert.Single(cluster[0].Events.For(connection.Id), e => e.Kind == ConnectionEventKind.Disconnected);
    }

    [Fact]
    public async Task StartOnNodeBRaisesOnConnectedOnceOnNodeA()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2, ShortTimeouts);
        using var http = new HttpClient();
        var connection = await Negotiate(http, cluster[0]);
        using var stream = await OpenStream(http, cluster[0], connection);

        // A load balancer without sticky sessions sends /start to node B, which never saw the connection: node A,
        // which holds it, raises OnConnected.
        await Start(http, cluster[1], connection);
        await cluster[0].Events.WaitFor(ConnectionEventKind.Connected, connection.Id).DefaultTimeout();

        // Starting again, on either node, raises nothing more; a message sent after the starts arrives after them.
        await Start(http, cluster[1], connection);
        await Start(http, cluster[0], connection);
        await cluster.Context<EventsConnection>(1).Connection.Send(connection.Id, "after the starts");
        await ReadUntil(stream, "after the starts").DefaultTimeout();

        Assert.Single(cluster[0].Events.For(connection.Id), e => e.Kind == ConnectionEventKind.Connected);
        Assert.DoesNotContain(cluster[1].Events.For(connection.Id), e => e.Kind == ConnectionEventKind.Connected);
    }

    [Fact]
    public async Task AbortOnNodeBBetweenLongPollsOnNodeADisconnectsOnce()
    {
        await using var cluster = await Cluster.StartAsync(redis.Server, 2, ShortTimeouts);
        using var http = new HttpClient();
        var connection = await Negotiate(http, cluster[0]);
        await ConnectLongPolling(http, cluster[0], connection);
        await Start(http, cluster[0], connection);

        // No poll is open on node A when the abort reaches node B.
        await Abort(http, cluster[1], connection);

        // Node A finds the abort on the connection's topic when its disconnect timeout comes.
        var stopped = await cluster[0].Events.WaitFor(ConnectionEventKind.Disconnected, connection.Id).DefaultTimeout();
        Assert.True(stopped.StopCalled);

        // A late poll on node A (while A still remembers the id) is not served: it gets an empty answer (a stopped
        // connection, not a timed-out one).
        string body = await Poll(http, cluster[0], connection);
        Assert.DoesNotContain("\"E\"", body);
        Assert.Contains("\"M\":[]", body);

        await AllDueDisconnectsRaised(http, cluster[0], "longPolling");
        Assert.Single(cluster[0].Events.For(connection.Id), e => e.Kind == ConnectionEventKind.Disconnected);
        Assert.DoesNotContain(cluster[1].Events.For(connection.Id), e => e.Kind == ConnectionEventKind.Disconnected);
    }

    [Theory]
    [InlineData(Transports.WebSockets)]
    [InlineData(Transports.LongPolling)]
    public async Task ClientThatMovedToNodeBIsNotDisconnectedByNodeA(string transport)
    {
        // Long enough for the official client to reconnect within DisconnectTimeout, short enough for the test.
        await using var cluster = await Cluster.StartAsync(redis.Server, 2, o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(3);
            o.KeepAlive = TimeSpan.FromSeconds(1);
        });
        await using var balancer = SwitchProxy.Start(cluster[0].BaseUri);
        await using var client = await OfficialClient.StartAsync(balancer.Url("/events"), transport, output);
        string id = client.ConnectionId;
        await client.Send("on A").DefaultTimeout();
        await client.WaitForMessage("on A").DefaultTimeout();

        // The balancer moves the client to node B; node A no longer hears from it.
        int mark = client.EventCount;
        balancer.SwitchTo(cluster[1].BaseUri);
        balancer.CutAll();
        if (transport != Transports.LongPolling)
        {
            await client.WaitForEvent(ClientEventKind.Reconnected, mark).DefaultTimeout();
        }

        await client.Send("on B").DefaultTimeout();
        await client.WaitForMessage("on B").DefaultTimeout();
        await cluster[1].Events.WaitFor(e => e.Kind == ConnectionEventKind.Received && e.ConnectionId == id && e.Data == "on B").DefaultTimeout();

        using var http = new HttpClient();
        await AllDueDisconnectsRaised(http, cluster[0], transport == Transports.LongPolling ? "longPolling" : "serverSentEvents");
        Assert.DoesNotContain(cluster[0].Events.For(id), e => e.Kind == ConnectionEventKind.Disconnected);

        // The client is still served, and its stop is the one disconnect.
        await client.Send("still here").DefaultTimeout();
        await client.WaitForMessage("still here").DefaultTimeout();
        await client.StopAsync(TimeSpan.FromSeconds(10));
        var stopped = await cluster[1].Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        Assert.True(stopped.StopCalled);
        Assert.DoesNotContain(cluster[0].Events.For(id), e => e.Kind == ConnectionEventKind.Disconnected);
    }

    /// <summary>
    /// Waits, without sleeping, until node A has raised every timeout disconnect that was due: a connection of the same
    /// transport that vanishes now times out after the aborted one would have; a long-polling one that vanishes after
    /// that shows that the heartbeat has gone past it.
    /// </summary>
    private static async Task AllDueDisconnectsRaised(HttpClient http, TestServer node, string transport)
    {
        var sentinel = await Negotiate(http, node);
        if (transport == "serverSentEvents")
        {
            using var stream = await OpenStream(http, node, sentinel);
        }
        else
        {
            await ConnectLongPolling(http, node, sentinel);
        }

        await node.Events.WaitFor(ConnectionEventKind.Disconnected, sentinel.Id).DefaultTimeout();
        var last = await Negotiate(http, node);
        await ConnectLongPolling(http, node, last);
        await node.Events.WaitFor(ConnectionEventKind.Disconnected, last.Id).DefaultTimeout();
    }

    private sealed record RawConnection(string Id, string Token)
    {
        public string Query(string transport) => $"transport={transport}&clientProtocol=2.1&connectionToken={Uri.EscapeDataString(Token)}";
    }

    private static async Task<RawConnection> Negotiate(HttpClient http, TestServer node)
    {
        string json = await http.GetStringAsync(node.Url("/events/negotiate?clientProtocol=2.1")).DefaultTimeout();
        using var document = JsonDocument.Parse(json);
        return new RawConnection(document.RootElement.GetProperty("ConnectionId").GetString()!, document.RootElement.GetProperty("ConnectionToken").GetString()!);
    }

    private static async Task<Stream> OpenStream(HttpClient http, TestServer node, RawConnection connection)
    {
        var response = await http.GetAsync(node.Url("/events/connect?" + connection.Query("serverSentEvents")), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync();

        // "data: initialized" comes first.
        var seen = new System.Text.StringBuilder();
        byte[] buffer = new byte[1024];
        while (!seen.ToString().Contains("initialized", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer).AsTask().DefaultTimeout();
            Assert.True(read > 0, "The stream ended before the init message.");
            seen.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
        }

        return stream;
    }

    private static async Task ReadUntil(Stream stream, string text)
    {
        var seen = new System.Text.StringBuilder();
        byte[] buffer = new byte[1024];
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                throw new EndOfStreamException($"The stream ended before \"{text}\" arrived: {seen}");
            }

            seen.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    private static async Task ReadToEnd(Stream stream)
    {
        byte[] buffer = new byte[1024];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    private static async Task ConnectLongPolling(HttpClient http, TestServer node, RawConnection connection)
    {
        using var response = await http.GetAsync(node.Url("/events/connect?" + connection.Query("longPolling"))).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> Poll(HttpClient http, TestServer node, RawConnection connection)
    {
        using var response = await http.PostAsync(node.Url("/events/poll?" + connection.Query("longPolling")), new StringContent(string.Empty)).DefaultTimeout();
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task Start(HttpClient http, TestServer node, RawConnection connection)
    {
        using var response = await http.GetAsync(node.Url("/events/start?" + connection.Query("serverSentEvents"))).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task Abort(HttpClient http, TestServer node, RawConnection connection)
    {
        using var response = await http.PostAsync(node.Url("/events/abort?" + connection.Query("serverSentEvents")), new StringContent(string.Empty)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
