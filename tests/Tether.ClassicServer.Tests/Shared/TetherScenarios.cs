// Shared by Tether.ClassicServer.Tests and Tether.Client.Tests (linked into the latter): Tether.Client's scenarios,
// written once and run against the classic server (TetherClient*Tests there) and against Tether.Server
// (TetherServerMatrixTests here), so the server x transport x scenario matrix is the same code on both sides.
using System.Diagnostics;
using System.Net.Http;
using Tether.Client;

namespace Tether.Shared;

/// <summary>A server the scenarios run against: its root, its <c>/events</c> log, and a name for the output.</summary>
public sealed record ServerUnderTest(string Name, Uri BaseUri, ConnectionEventLog Events)
{
    public static ServerUnderTest Of(ClassicServerProcess server) => new("classic 2.4.1", server.BaseUri, server.Events);

    public static ServerUnderTest Of(TestServer server) => new("Tether.Server", server.BaseUri, server.Events);

    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();
}

/// <summary>
/// The scenarios of Tether.Client against a server with the endpoints of TestConnections (<c>/echo</c>,
/// <c>/broadcast</c>, <c>/groups</c>, <c>/events</c>). Each asserts what it checks. The ones that need short timeouts
/// say so: KeepAlive 2 s (KeepAliveTimeout 4 s) and DisconnectTimeout 6 s.
/// </summary>
public static class TetherScenarios
{
    /// <summary>Start: the states, the identity from negotiate, and the transport in use.</summary>
    public static async Task StartStatesIdentityAndTransport(ServerUnderTest server, string transport)
    {
        await using var probe = new TetherProbe(server.Url("/echo"));
        var connection = probe.Connection;
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.False(connection.IsActive);

        await connection.Start(TetherTransport.Create(transport)).DefaultTimeout();

        Assert.Equal(ConnectionState.Connected, connection.State);
        Assert.True(connection.IsActive);
        Assert.Equal(TetherTransport.Expected(transport), connection.Transport!.Name);
        Assert.False(string.IsNullOrEmpty(connection.ConnectionId));
        Assert.Equal(connection.ConnectionId, connection.ClientId);
        Assert.False(string.IsNullOrEmpty(connection.ConnectionToken));
        Assert.NotNull(connection.MessageId); // the init message's cursor
        Assert.Null(connection.GroupsToken);

        // The classic defaults: KeepAlive 10 s, advertised as KeepAliveTimeout 20 s.
        Assert.Equal(TimeSpan.FromSeconds(20), connection.KeepAliveData!.Timeout);
        Assert.Equal(["state:Disconnected->Connecting", "state:Connecting->Connected"], probe.Log.Events);
    }

    /// <summary>
    /// 1000 echoes: the sends are queued at once (Tether.Client sends them one at a time, in call order, so even the
    /// HTTP transports' separate <c>/send</c> POSTs keep their order) and every echo comes back once, in order.
    /// </summary>
    /// <returns>How long it took.</returns>
    public static async Task<TimeSpan> Echo1000InOrder(ServerUnderTest server, string transport)
    {
        const int count = 1000;
        await using var probe = await TetherProbe.StartAsync(server.Url("/echo"), transport);
        string[] expected = [.. Enumerable.Range(0, count).Select(Payload)];

        var watch = Stopwatch.StartNew();
        Task[] sends = [.. expected.Select(probe.Send)];
        await Task.WhenAll(sends).DefaultTimeout();
        await probe.Log.UntilMessages(count).DefaultTimeout();
        watch.Stop();

        Assert.Equal(expected, probe.Messages);
        probe.AssertNoTrouble();
        return watch.Elapsed;
    }

    /// <summary>
    /// The classic <c>Stop()</c>: it posts <c>/abort</c>, the server raises OnDisconnected(stopCalled: true) once, and
    /// Stop returns in well under the 30 s the official client may wait for the receive channel to end.
    /// </summary>
    /// <returns>How long Stop() took.</returns>
    public static async Task<TimeSpan> StopRaisesOnDisconnectedStopCalledOnce(ServerUnderTest server, string transport)
    {
        await using var probe = await TetherProbe.StartAsync(server.Url("/events"), transport);
        var connection = probe.Connection;
        string id = connection.ConnectionId!;
        await server.Events.WaitFor(ConnectionEventKind.Connected, id).DefaultTimeout();
        await probe.Send("hello").DefaultTimeout();
        await probe.Log.UntilMessage("hello").DefaultTimeout();

        var watch = Stopwatch.StartNew();
        await Task.Run(() => connection.Stop()).DefaultTimeout();
        watch.Stop();

        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.False(connection.IsActive);
        Assert.Null(connection.ConnectionId);
        Assert.Equal(1, probe.Log.Count("closed"));
        Assert.Equal("closed", probe.Log.Events[^1]);
        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        Assert.True(disconnected.StopCalled, "OnDisconnected after Stop() must have stopCalled: true.");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Stop() took {watch.Elapsed.TotalSeconds:F1} s.");

        // A barrier: a second connection's whole life, reported after the first one's; a duplicate OnDisconnected
        // caused by the stop (the abort and the end of the receive request each ending the connection) is in by then.
        // (One raised by the server's heartbeat would come a DisconnectTimeout later: ServerVanishes waits that long
        // anyway and checks it there.)
        await using var barrier = await TetherProbe.StartAsync(server.Url("/events"), transport);
        string barrierId = barrier.Connection.ConnectionId!;
        await barrier.Connection.StopAsync().DefaultTimeout();
        await server.Events.WaitFor(ConnectionEventKind.Disconnected, barrierId).DefaultTimeout();
        Assert.Equal(
            [ConnectionEventKind.Connected, ConnectionEventKind.Received, ConnectionEventKind.Disconnected],
            server.Events.For(id).Select(e => e.Kind));
        return watch.Elapsed;
    }

    /// <summary>
    /// Large messages both ways, under the servers' 64 KB limit on incoming WebSocket messages: big frames may be
    /// fragmented, and SSE/long-polling answers span many reads; each arrives whole.
    /// </summary>
    public static async Task LargeMessagesEchoedWhole(ServerUnderTest server, string transport)
    {
        await using var probe = await TetherProbe.StartAsync(server.Url("/echo"), transport);
        string[] payloads =
        [
            new string('a', 1024),
            string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i:D5}-héllo ✓|")), // ~34 KB of UTF-8, multi-byte characters across reads
            new string('z', 60_000) + "+&=%20\\\"\n",
        ];

        foreach (string payload in payloads)
        {
            await probe.Send(payload).DefaultTimeout();
        }

        await probe.Log.UntilMessages(payloads.Length).DefaultTimeout();
        Assert.Equal(payloads, probe.Messages);
        probe.AssertNoTrouble();
    }

    /// <summary>One Connection started, stopped and started again: a new connection id, and echo works.</summary>
    public static async Task StartStopStartAgain(ServerUnderTest server, string transport)
    {
        await using var probe = await TetherProbe.StartAsync(server.Url("/echo"), transport);
        var connection = probe.Connection;
        string firstId = connection.ConnectionId!;
        await connection.StopAsync().DefaultTimeout();
        Assert.Null(connection.MessageId);

        await connection.Start(TetherTransport.Create(transport)).DefaultTimeout();
        Assert.NotEqual(firstId, connection.ConnectionId);
        await probe.Send("second life").DefaultTimeout();
        await probe.Log.UntilMessage("second life").DefaultTimeout();
        Assert.Equal(
            ["Disconnected->Connecting", "Connecting->Connected", "Connected->Disconnected", "Disconnected->Connecting", "Connecting->Connected"],
            probe.Log.States);
        Assert.Equal(1, probe.Log.Count("closed"));
        probe.AssertNoTrouble();
    }

    /// <summary>Three clients each broadcast 10 messages at once; each client receives all 30 once, each sender's in order.</summary>
    public static async Task BroadcastToThree(ServerUnderTest server, string transport)
    {
        const int clients = 3;
        const int messagesPerClient = 10;
        var probes = new List<TetherProbe>();
        try
        {
            for (int i = 0; i < clients; i++)
            {
                probes.Add(await TetherProbe.StartAsync(server.Url("/broadcast"), transport));
            }

            // Every client queues its own messages at once (Tether.Client sends them in order), concurrently with the others.
            await Task.WhenAll(probes.SelectMany((client, c) =>
                Enumerable.Range(0, messagesPerClient).Select(m => client.Send($"c{c}-m{m}")))).DefaultTimeout();

            // A last broadcast: anything duplicated would have arrived by the time it does.
            await Task.WhenAll(probes.Select(c => c.Log.UntilMessages(clients * messagesPerClient))).DefaultTimeout();
            await probes[0].Send("end").DefaultTimeout();
            await Task.WhenAll(probes.Select(c => c.Log.UntilMessage("end"))).DefaultTimeout();

            string[] all = [.. from c in Enumerable.Range(0, clients) from m in Enumerable.Range(0, messagesPerClient) select $"c{c}-m{m}"];
            foreach (var probe in probes)
            {
                var received = probe.Messages;
                Assert.Equal(all.Length + 1, received.Count);
                Assert.Equal("end", received[^1]);
                Assert.Equal(all.Order(StringComparer.Ordinal), received.Take(all.Length).Order(StringComparer.Ordinal));
                for (int c = 0; c < clients; c++)
                {
                    // One topic, and each sender's messages were sent in order: they arrive in order.
                    Assert.Equal(
                        Enumerable.Range(0, messagesPerClient).Select(m => $"c{c}-m{m}"),
                        received.Where(r => r.StartsWith($"c{c}-", StringComparison.Ordinal)));
                }

                probe.AssertNoTrouble();
            }
        }
        finally
        {
            await Task.WhenAll(probes.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    /// <summary>join/leave, <c>to:G</c> (members, the sender included) and <c>others:G</c> (members but the sender).</summary>
    public static async Task GroupsJoinLeaveToOthers(ServerUnderTest server, string transport)
    {
        string g = "g" + Guid.NewGuid().ToString("N")[..8];
        await using var a = await TetherProbe.StartAsync(server.Url("/groups"), transport);
        await using var b = await TetherProbe.StartAsync(server.Url("/groups"), transport);
        await using var c = await TetherProbe.StartAsync(server.Url("/groups"), transport);
        TetherProbe[] everyone = [a, b, c];

        // A broadcast that everyone awaits: a group message that was going to reach a non-member has arrived by then.
        async Task Barrier(string name)
        {
            await a.Send("all:" + name).DefaultTimeout();
            await Task.WhenAll(everyone.Select(x => x.Log.UntilMessage(name))).DefaultTimeout();
        }

        await a.Send($"join:{g}").DefaultTimeout();
        await a.Log.UntilMessage($"joined:{g}").DefaultTimeout();
        await b.Send($"join:{g}").DefaultTimeout();
        await b.Log.UntilMessage($"joined:{g}").DefaultTimeout();

        // The server's groups token names the groups the connection is in, for its reconnects.
        Assert.NotNull(a.Connection.GroupsToken);
        Assert.Null(c.Connection.GroupsToken);

        await a.Send($"to:{g}:first").DefaultTimeout();
        await Task.WhenAll(a.Log.UntilMessage("first"), b.Log.UntilMessage("first")).DefaultTimeout();
        await Barrier("barrier-1");

        await a.Send($"others:{g}:second").DefaultTimeout();
        await b.Log.UntilMessage("second").DefaultTimeout();
        await Barrier("barrier-2");

        // After leave, b no longer gets the group's messages; a still does.
        await b.Send($"leave:{g}").DefaultTimeout();
        await b.Log.UntilMessage($"left:{g}").DefaultTimeout();
        await a.Send($"to:{g}:third").DefaultTimeout();
        await a.Log.UntilMessage("third").DefaultTimeout();
        await Barrier("barrier-3");

        // Exactly these, in this order, nothing twice.
        Assert.Equal([$"joined:{g}", "first", "barrier-1", "barrier-2", "third", "barrier-3"], a.Messages);
        Assert.Equal([$"joined:{g}", "first", "barrier-1", "second", "barrier-2", $"left:{g}", "barrier-3"], b.Messages);
        Assert.Equal(["barrier-1", "barrier-2", "barrier-3"], c.Messages);
        Assert.All(everyone, x => x.AssertNoTrouble());
    }

    /// <summary>
    /// A numbered, server-driven stream: a second, direct client sends <c>to:G:nNNN</c> to a group the proxied
    /// client is in, and a fault proxy cuts every connection twice while it flows. The client reconnects with its
    /// message id and groups token (so the server puts it back in G) and receives every message once, in order.
    /// </summary>
    /// <returns>A description of what the client raised, for the output.</returns>
    public static async Task<string> CutMidStreamNothingLostOrDuplicated(ServerUnderTest server, string transport)
    {
        const int count = 300;
        string g = "g" + Guid.NewGuid().ToString("N")[..8];
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var sender = await TetherProbe.StartAsync(server.Url("/groups"), ClientUnderTest.WebSockets);
        await using var client = await TetherProbe.StartAsync(proxy.Url("/groups"), transport, fast: true);
        string id = client.Connection.ConnectionId!;
        await client.Send($"join:{g}").DefaultTimeout();
        await client.Log.UntilMessage($"joined:{g}").DefaultTimeout();

        int cuts = 0;
        for (int i = 0; i < count; i++)
        {
            await sender.Send($"to:{g}:n{i:D3}").DefaultTimeout();
            if (i == count / 3 || i == 2 * count / 3)
            {
                cuts += proxy.CutAll();
            }
        }

        string[] expected = [$"joined:{g}", .. Enumerable.Range(0, count).Select(i => $"n{i:D3}")];
        await client.Log.UntilMessages(expected.Length).DefaultTimeout();
        if (transport != ClientUnderTest.LongPolling)
        {
            // A streaming channel is always open, so a cut always forces a reconnect. Long polling may be between two
            // polls when the link is cut (the next poll simply opens a new TCP connection): no reconnect is required.
            await client.Log.UntilEvent("reconnected").DefaultTimeout();
        }

        // A last group message: anything replayed twice would have arrived by the time it does.
        await sender.Send($"to:{g}:end").DefaultTimeout();
        await client.Log.UntilMessage("end").DefaultTimeout();
        Assert.Equal([.. expected, "end"], client.Messages);
        Assert.Equal(ConnectionState.Connected, client.Connection.State);
        Assert.Equal(id, client.Connection.ConnectionId);
        Assert.Equal(client.Log.Count("reconnecting"), client.Log.Count("reconnected"));
        Assert.DoesNotContain("closed", client.Log.Events);

        // The client still sends, and is still in G, after the cuts.
        await client.Send($"to:{g}:after").DefaultTimeout();
        await client.Log.UntilMessage("after").DefaultTimeout();
        return $"{cuts} connections cut; {client.Log.Describe()}";
    }

    /// <summary>
    /// Needs KeepAlive 2 s. A fault proxy stops forwarding (nothing is closed): no keep-alive arrives, so after two
    /// thirds of KeepAliveTimeout (4 s) the client raises ConnectionSlow, and at the timeout it drops the transport and
    /// goes Reconnecting; once the link flows again it reconnects. Not for long polling, which has no keep-alive
    /// monitoring (as in the classic client).
    /// </summary>
    /// <returns>A description with the times, for the output (the thresholds run from the last keep-alive, which came
    /// at some point before the stall, later under load: the times are printed, not asserted).</returns>
    public static async Task<string> StallSlowThenReconnectingThenReconnected(ServerUnderTest server, string transport)
    {
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var client = await TetherProbe.StartAsync(proxy.Url("/echo"), transport);
        Assert.Equal(TimeSpan.FromSeconds(4), client.Connection.KeepAliveData!.Timeout);

        var stalled = Stopwatch.StartNew();
        proxy.Stall();
        TimeSpan slowAt;
        TimeSpan reconnectingAt;
        try
        {
            await client.Log.UntilEvent("slow").DefaultTimeout();
            slowAt = stalled.Elapsed;
            await client.Log.UntilEvent("reconnecting").DefaultTimeout();
            reconnectingAt = stalled.Elapsed;
            Assert.True(client.Log.IndexOf("slow") < client.Log.IndexOf("reconnecting"), client.Log.Describe());
            Assert.Equal(ConnectionState.Reconnecting, client.Connection.State);
        }
        finally
        {
            proxy.Resume();
        }

        await client.Log.UntilEvent("reconnected").DefaultTimeout();
        Assert.Equal(ConnectionState.Connected, client.Connection.State);
        await client.Send("after stall").DefaultTimeout();
        await client.Log.UntilMessage("after stall").DefaultTimeout();
        return $"ConnectionSlow after {slowAt.TotalSeconds:F2} s, Reconnecting after {reconnectingAt.TotalSeconds:F2} s; {client.Log.Describe()}";
    }

    /// <summary>
    /// Needs DisconnectTimeout 6 s. The server vanishes (every connection cut, new ones refused): after
    /// DisconnectTimeout of reconnecting, the client raises Error with a TimeoutException, then Closed, once; a send
    /// queued meanwhile fails. The server gives the vanished connection up too (OnDisconnected(stopCalled: false)), and
    /// by then a connection stopped just before shows exactly one OnDisconnected(stopCalled: true).
    /// </summary>
    /// <remarks>
    /// Observed on both servers alike (so not asserted, only printed): the server's OnDisconnected(stopCalled: false)
    /// comes ~7 s after the cut for long polling and ~12 s for WebSockets and Server-Sent Events (DisconnectTimeout
    /// 6 s, KeepAlive 2 s): the server's heartbeat takes longer to declare a streaming connection dead.
    /// </remarks>
    /// <returns>A description with the times, for the output.</returns>
    public static async Task<string> ServerVanishesErrorTimeoutThenClosed(ServerUnderTest server, string transport)
    {
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var client = await TetherProbe.StartAsync(proxy.Url("/events"), transport, fast: true);
        await using var stopped = await TetherProbe.StartAsync(server.Url("/events"), transport);
        string id = client.Connection.ConnectionId!;
        string stoppedId = stopped.Connection.ConnectionId!;

        // Stopped just before the cut: a second, heartbeat-driven OnDisconnected for it would come no later than the
        // server's timeout of the cut connection, which is awaited below.
        await stopped.Connection.StopAsync().DefaultTimeout();
        await server.Events.WaitFor(ConnectionEventKind.Disconnected, stoppedId).DefaultTimeout();

        var cutAt = Stopwatch.StartNew();
        proxy.RefuseNew = true;
        proxy.CutAll();
        await client.Log.UntilEvent("reconnecting").DefaultTimeout();
        var pending = client.Connection.Send("never sent");
        await client.Log.UntilEvent("closed").DefaultTimeout();
        var closedAt = cutAt.Elapsed;

        // (A reconnect attempt whose handshake hangs also raises a TimeoutException; refused ones fail at once.)
        var errors = client.ErrorsRaised;
        var timeout = Assert.Single(errors.OfType<TimeoutException>(), e => e.Message.StartsWith("Couldn't reconnect", StringComparison.Ordinal));
        Assert.Same(timeout, errors[^1]);
        Assert.Contains("Couldn't reconnect within the configured timeout of 00:00:06", timeout.Message, StringComparison.Ordinal);
        Assert.True(client.Log.IndexOf("error:TimeoutException: " + timeout.Message) < client.Log.IndexOf("closed"), client.Log.Describe());
        Assert.Equal(1, client.Log.Count("closed"));
        Assert.Equal("closed", client.Log.Events[^1]);
        Assert.Equal(
            ["Disconnected->Connecting", "Connecting->Connected", "Connected->Reconnecting", "Reconnecting->Disconnected"],
            client.Log.States);
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
        Assert.Same(timeout, client.Connection.LastError);

        // Not before DisconnectTimeout after the cut (less a little: system timers may fire a few milliseconds early).
        Assert.True(closedAt >= TimeSpan.FromSeconds(5.9), $"Closed after {closedAt}");
        await Assert.ThrowsAsync<InvalidOperationException>(() => pending).DefaultTimeout();

        var lost = await server.Events.WaitFor(ConnectionEventKind.Disconnected, id).DefaultTimeout();
        var lostAt = cutAt.Elapsed;
        Assert.False(lost.StopCalled);
        var stop = Assert.Single(server.Events.For(stoppedId), e => e.Kind == ConnectionEventKind.Disconnected);
        Assert.True(stop.StopCalled);
        return $"Closed {closedAt.TotalSeconds:F2} s after the cut; server OnDisconnected(stopCalled: false) {lostAt.TotalSeconds:F2} s after it; {client.Log.Describe()}";
    }

    /// <summary>
    /// Needs a ConnectionTimeout of about a second (how long the server holds a poll with nothing to send). The server
    /// ends each idle poll with an empty answer, and the long-polling client just polls again: no error, no reconnect,
    /// and nothing lost.
    /// </summary>
    /// <returns>A description, for the output.</returns>
    public static async Task<string> IdlePollsEndedByTheServerArePolledAgainQuietly(ServerUnderTest server)
    {
        var polls = new PollCounter();
        await using var probe = new TetherProbe(server.Url("/echo"));
        probe.Connection.HttpMessageHandlerFactory = inner => new CountingHandler(inner, polls);
        await probe.Connection.Start(TetherTransport.Create(ClientUnderTest.LongPolling)).DefaultTimeout();

        // Two polls answered (and so ended) by the server's timeout, with nothing sent meanwhile.
        await polls.AtLeast(2).DefaultTimeout();
        await probe.Send("after idle polls").DefaultTimeout();
        await probe.Log.UntilMessage("after idle polls").DefaultTimeout();

        Assert.Equal(["after idle polls"], probe.Messages);
        Assert.Equal(ConnectionState.Connected, probe.Connection.State);
        probe.AssertNoTrouble();
        return $"{polls.Count} polls answered; {probe.Log.Describe()}";
    }

    /// <summary>Mostly plain text; every tenth payload carries what form and JSON encoding must get right.</summary>
    public static string Payload(int i) => (i % 10) switch
    {
        3 => $"{i}: a+b=c&d=%20 100% \"quoted\" back\\slash",
        7 => $"{i}: héllo wörld ✓ 😀 <tag> 'single' \t tab",
        9 => $"{{\"json\":{i},\"looks\":[\"like\",\"an\",\"object\"]}}",
        _ => $"message-{i:D3}",
    };

    private sealed class PollCounter
    {
        private readonly List<(int Count, TaskCompletionSource Tcs)> _waiters = [];
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Completed()
        {
            List<TaskCompletionSource> done = [];
            lock (_waiters)
            {
                _count++;
                _waiters.RemoveAll(w =>
                {
                    if (w.Count > _count)
                    {
                        return false;
                    }

                    done.Add(w.Tcs);
                    return true;
                });
            }

            done.ForEach(t => t.TrySetResult());
        }

        public Task AtLeast(int count)
        {
            lock (_waiters)
            {
                if (_count >= count)
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, tcs));
                return tcs.Task;
            }
        }
    }

    /// <summary>Counts the <c>/poll</c> requests whose answer was read to its end.</summary>
    private sealed class CountingHandler(HttpMessageHandler inner, PollCounter polls) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.AbsolutePath.EndsWith("/poll", StringComparison.Ordinal) && response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                polls.Completed();
            }

            return response;
        }
    }
}
