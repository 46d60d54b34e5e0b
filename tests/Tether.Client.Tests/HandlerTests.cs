using System.Diagnostics;
using Tether.Client.Infrastructure;

namespace Tether.Client.Tests;

/// <summary>Callbacks run in order on the dispatch loop, never on the transport: deadlock-free Stop, slow handlers.</summary>
public sealed class HandlerTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task StopFromInsideReceived_ReturnsAtOnce_ThenClosed(string transport)
    {
        var connection = new Connection(_server.Url("/echo"));
        var probe = new Probe(connection);
        var stopReturned = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Received += message =>
        {
            if (message == "stop")
            {
                var watch = Stopwatch.StartNew();
                connection.Stop();
                stopReturned.TrySetResult(watch.Elapsed);
            }
        };
        await connection.Start(Transports.Create(transport)).DefaultTimeout();

        await connection.Send("stop").DefaultTimeout();
        TimeSpan took = await stopReturned.Task.DefaultTimeout();
        Assert.True(took < TimeSpan.FromSeconds(1), $"Stop() blocked the handler for {took}.");
        await probe.UntilEvent("closed").DefaultTimeout();
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.Equal(1, probe.Count("closed"));
    }

    [Fact]
    public async Task StopAsyncAndDisposeFromHandlers_DoNotDeadlock()
    {
        var connection = new Connection(_server.Url("/echo"));
        var probe = new Probe(connection);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Received += _ =>
        {
            // Blocking on StopAsync from a callback completes once the connection is closed.
            connection.StopAsync().Wait(Tether.Tests.Utils.TaskExtensions.DefaultTimeoutSpan);
            stopped.TrySetResult();
        };
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += () =>
        {
            connection.Dispose();
            disposed.TrySetResult();
        };
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        await connection.Send("x").DefaultTimeout();
        await stopped.Task.DefaultTimeout();
        await disposed.Task.DefaultTimeout();
        Assert.Equal(1, probe.Count("closed"));
        Assert.IsType<ObjectDisposedException>(Sync.Catch(() => { connection.Start(); }));
    }

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task SlowHandler_DoesNotStallTheTransport(string transport)
    {
        const int count = 200;
        await using var connection = new Connection(_server.Url("/echo"));
        using var gate = new ManualResetEventSlim();
        var probe = new Probe(connection);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Received += m =>
        {
            if (m == "n0")
            {
                blocked.TrySetResult();
                gate.Wait(Tether.Tests.Utils.TaskExtensions.DefaultTimeoutSpan);
            }
        };
        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        var context = _server.EchoContext();
        string id = connection.ConnectionId!;
        await context.Connection.Send(id, "n0");
        await blocked.Task.DefaultTimeout();
        string? cursorWhileBlocked = connection.MessageId;

        for (int i = 1; i < count; i++)
        {
            await context.Connection.Send(id, "n" + i);
        }

        // The transport keeps reading (the cursor moves) while the handler is stuck.
        await WaitUntil(() => connection.MessageId != cursorWhileBlocked).DefaultTimeout();
        Assert.Single(probe.Messages);

        gate.Set();
        await probe.UntilMessages(count).DefaultTimeout();
        Assert.Equal(Enumerable.Range(0, count).Select(i => "n" + i), probe.Messages);
        Assert.Equal(ConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task HandlerRunningPastDeadlockErrorTimeout_RaisesSlowCallbackError()
    {
        await using var connection = new Connection(_server.Url("/echo")) { DeadlockErrorTimeout = TimeSpan.FromMilliseconds(200) };
        using var released = new ManualResetEventSlim();
        SlowCallbackException? slow = null;
        connection.Error += e =>
        {
            if (e is SlowCallbackException s)
            {
                slow = s;
                released.Set();
            }
        };
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Received += _ =>
        {
            released.Wait(Tether.Tests.Utils.TaskExtensions.DefaultTimeoutSpan);
            done.TrySetResult();
        };
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        await connection.Send("block").DefaultTimeout();
        await done.Task.DefaultTimeout();
        Assert.NotNull(slow);
        Assert.Contains("Possible deadlock detected", slow!.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(200), connection.DeadlockErrorTimeout);
    }

    [Fact]
    public async Task ThrowingHandler_RaisesError_AndTheConnectionGoesOn()
    {
        await using var connection = new Connection(_server.Url("/echo"));
        var probe = new Probe(connection);
        connection.Received += m =>
        {
            if (m == "throw")
            {
                throw new InvalidOperationException("handler failed");
            }
        };
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        await connection.Send("throw").DefaultTimeout();
        await connection.Send("next").DefaultTimeout();
        await probe.UntilMessage("next").DefaultTimeout();
        Assert.Contains("error:InvalidOperationException", probe.Events);
        Assert.Equal("handler failed", connection.LastError!.Message);
        Assert.Equal(ConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task StopWithError_RaisesErrorThenClosed()
    {
        var connection = new Connection(_server.Url("/echo"));
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(Transports.ServerSentEvents)).DefaultTimeout();
        var reason = new InvalidOperationException("bye");
        connection.Stop(reason, TimeSpan.FromSeconds(5));
        Assert.Equal(["state:Disconnected->Connecting", "state:Connecting->Connected", "error:InvalidOperationException", "state:Connected->Disconnected", "closed"], probe.Events);
        Assert.Same(reason, connection.LastError);

        // A second stop does nothing; a restart works.
        connection.Stop(TimeSpan.FromSeconds(1));
        connection.Stop(new InvalidOperationException("again"));
        Assert.Equal(1, probe.Count("closed"));
        await connection.Start(Transports.Create(Transports.LongPolling)).DefaultTimeout();
        await connection.StopAsync(new InvalidOperationException("async")).DefaultTimeout();
        Assert.Equal(2, probe.Count("closed"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        // Polls a condition that has no event; bounded by the caller's DefaultTimeout.
        while (!condition())
        {
            await Task.Yield();
            await Task.Delay(10);
        }
    }
}
