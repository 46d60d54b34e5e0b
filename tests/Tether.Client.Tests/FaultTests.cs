using Xunit.Abstractions;

namespace Tether.Client.Tests;

/// <summary>The fault proxy cuts and stalls links mid-stream: the client reconnects with its cursor and loses nothing.</summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task CutMidStream_NoMessageLostOrDuplicated(string transport)
    {
        const int count = 300;
        await using var server = await TestServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var connection = new Connection(proxy.Url("/echo"));
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        string id = connection.ConnectionId!;
        var context = server.EchoContext();

        // The server sends a numbered stream; the link is cut twice while it flows.
        for (int i = 0; i < count; i++)
        {
            await context.Connection.Send(id, "n" + i);
            if (i == count / 3 || i == 2 * count / 3)
            {
                proxy.CutAll();
            }
        }

        try
        {
            await probe.UntilMessages(count).DefaultTimeout(TimeSpan.FromSeconds(20));
        }
        finally
        {
            var missing = Enumerable.Range(0, count).Select(i => "n" + i).Except(probe.Messages).ToList();
            output.WriteLine($"state {connection.State}, {probe.Messages.Count} received, missing: {string.Join(",", missing.Take(20))}");
            output.WriteLine(string.Join(", ", probe.Events.Where(e => !e.StartsWith("received:", StringComparison.Ordinal))));
        }

        if (transport != Transports.LongPolling)
        {
            // A streaming channel is always live, so a cut always forces a reconnect. Long polling may be between two
            // polls when the link is cut (HttpClient then just opens a new connection): no reconnect is required.
            await probe.UntilEvent("reconnected").DefaultTimeout();
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => "n" + i), probe.Messages);
        Assert.Equal(ConnectionState.Connected, connection.State);
        Assert.Equal(id, connection.ConnectionId);

        // Sending still works after the cuts.
        await connection.Send("after").DefaultTimeout();
        await probe.UntilMessage("after").DefaultTimeout();
        output.WriteLine(string.Join(", ", probe.Events.Where(e => !e.StartsWith("received:", StringComparison.Ordinal))));
    }

    [Theory]
    [MemberData(nameof(Transports.Streaming), MemberType = typeof(Transports))]
    public async Task Stall_ConnectionSlowThenReconnecting_ThenResumeReconnects(string transport)
    {
        await using var server = await TestServer.StartAsync(ServerExtensions.ShortTimeouts);
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var connection = new Connection(proxy.Url("/echo"));
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        Assert.Equal(TimeSpan.FromSeconds(2), connection.KeepAliveData!.Timeout);

        proxy.Stall();
        await probe.UntilEvent("slow").DefaultTimeout();
        await probe.UntilEvent("reconnecting").DefaultTimeout();
        Assert.True(probe.Events.ToList().IndexOf("slow") < probe.Events.ToList().IndexOf("reconnecting"));
        Assert.Equal(ConnectionState.Reconnecting, connection.State);

        proxy.Resume();
        await probe.UntilEvent("reconnected").DefaultTimeout();
        await connection.Send("after stall").DefaultTimeout();
        await probe.UntilMessage("after stall").DefaultTimeout();
    }

    [Fact]
    public async Task LongPolling_HasNoKeepAliveMonitoring_AStallOnlyDelays()
    {
        await using var server = await TestServer.StartAsync(ServerExtensions.ShortTimeouts);
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var polling = new Connection(proxy.Url("/echo"));
        await using var socket = new Connection(proxy.Url("/echo"));
        var lp = new Probe(polling);
        var ws = new Probe(socket);
        await polling.Start(Transports.Create(Transports.LongPolling)).DefaultTimeout();
        await socket.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        Assert.False(polling.Transport!.SupportsKeepAlive);

        // The WebSocket connection shows how long the stall lasted: past the keep-alive timeout.
        proxy.Stall();
        var send = polling.Send("while stalled");
        await ws.UntilEvent("reconnecting").DefaultTimeout();
        Assert.DoesNotContain("slow", lp.Events);
        Assert.DoesNotContain("reconnecting", lp.Events);

        proxy.Resume();
        await send.DefaultTimeout();
        await lp.UntilMessage("while stalled").DefaultTimeout();
    }
}

/// <summary>Give-up after DisconnectTimeout, and the opt-in retry policy that renegotiates after it.</summary>
public sealed class GiveUpTests
{
    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task GivesUpAfterDisconnectTimeout_ErrorThenClosed(string transport)
    {
        await using var server = await TestServer.StartAsync(ServerExtensions.ShortTimeouts);
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var connection = new Connection(proxy.Url("/echo"));
        var probe = new Probe(connection);
        TimeoutException? timeout = null;
        connection.Error += e => timeout ??= e as TimeoutException;
        await connection.Start(Transports.Create(transport)).DefaultTimeout();

        proxy.RefuseNew = true;
        proxy.CutAll();
        await probe.UntilEvent("reconnecting").DefaultTimeout();
        var pending = connection.Send("never sent");
        await probe.UntilEvent("closed").DefaultTimeout();

        Assert.NotNull(timeout);
        Assert.Contains("Couldn't reconnect within the configured timeout of 00:00:06", timeout!.Message, StringComparison.Ordinal);
        var events = probe.Events.ToList();
        Assert.True(events.IndexOf("error:TimeoutException") < events.IndexOf("closed"));
        Assert.Equal(1, probe.Count("closed"));
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.Same(timeout, connection.LastError);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pending).DefaultTimeout();
    }

    [Fact]
    public async Task RetryPolicy_RenegotiatesAfterTheClassicWindow()
    {
        await using var server = await TestServer.StartAsync(ServerExtensions.ShortTimeouts);
        await using var proxy = FaultProxy.Start(server.BaseUri);
        var policy = new RecordingPolicy();
        await using var connection = new Connection(proxy.Url("/echo")) { RetryPolicy = policy };
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        string firstId = connection.ConnectionId!;

        proxy.RefuseNew = true;
        proxy.CutAll();
        await probe.UntilEvent("reconnecting").DefaultTimeout();
        await policy.SecondAttempt.Task.DefaultTimeout();
        Assert.Equal(ConnectionState.Reconnecting, connection.State);
        proxy.RefuseNew = false;

        await probe.UntilEvent("reconnected").DefaultTimeout();
        Assert.Equal(ConnectionState.Connected, connection.State);
        Assert.NotEqual(firstId, connection.ConnectionId);
        Assert.DoesNotContain("closed", probe.Events);
        Assert.IsType<TimeoutException>(policy.Contexts[0].RetryReason);
        Assert.Equal(0, policy.Contexts[0].PreviousRetryCount);

        await connection.Send("after retry").DefaultTimeout();
        await probe.UntilMessage("after retry").DefaultTimeout();
    }

    [Fact]
    public async Task RetryPolicy_ReturningNull_Closes()
    {
        await using var server = await TestServer.StartAsync(ServerExtensions.ShortTimeouts);
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var connection = new Connection(proxy.Url("/echo")) { RetryPolicy = new NeverPolicy() };
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(Transports.LongPolling)).DefaultTimeout();
        proxy.RefuseNew = true;
        proxy.CutAll();
        await probe.UntilEvent("closed").DefaultTimeout();
        Assert.Contains("error:TimeoutException", probe.Events);
    }

    private sealed class RecordingPolicy : IRetryPolicy
    {
        public List<RetryContext> Contexts { get; } = [];

        public TaskCompletionSource SecondAttempt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan? NextRetryDelay(RetryContext retryContext)
        {
            lock (Contexts)
            {
                Contexts.Add(retryContext);
            }

            if (retryContext.PreviousRetryCount >= 1)
            {
                SecondAttempt.TrySetResult();
            }

            return TimeSpan.FromMilliseconds(200);
        }
    }

    private sealed class NeverPolicy : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => null;
    }
}

/// <summary>Sends made while reconnecting wait in a bounded queue.</summary>
public sealed class SendQueueTests
{
    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task SendWhileReconnecting_CompletesAfterReconnected(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var connection = new Connection(proxy.Url("/echo"));
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(transport)).DefaultTimeout();

        proxy.RefuseNew = true;
        proxy.CutAll();
        await probe.UntilEvent("reconnecting").DefaultTimeout();
        Task first = connection.Send("queued-1");
        Task second = connection.SendAsync("queued-2");
        Assert.False(first.IsCompleted);

        proxy.RefuseNew = false;
        await Task.WhenAll(first, second).DefaultTimeout();
        await probe.UntilMessages(2).DefaultTimeout();
        Assert.Equal(["queued-1", "queued-2"], probe.Messages);
        Assert.True(probe.Events.ToList().IndexOf("reconnected") < probe.Events.ToList().IndexOf("received:queued-1"));
    }

    [Fact]
    public async Task QueueIsBounded_AndFailsWhenTheConnectionCloses()
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var connection = new Connection(proxy.Url("/echo")) { SendQueueLimit = 2 };
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();

        proxy.RefuseNew = true;
        proxy.CutAll();
        await probe.UntilEvent("reconnecting").DefaultTimeout();
        Task a = connection.Send("a");
        Task b = connection.Send("b");
        Assert.IsType<InvalidOperationException>(Sync.Catch(() => { connection.Send("c"); }));

        using var cts = new CancellationTokenSource();
        await connection.StopAsync(cts.Token).DefaultTimeout();
        await Assert.ThrowsAsync<InvalidOperationException>(() => a).DefaultTimeout();
        await Assert.ThrowsAsync<InvalidOperationException>(() => b).DefaultTimeout();
    }
}
