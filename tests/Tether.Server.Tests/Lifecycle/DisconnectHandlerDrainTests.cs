using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Internal;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Lifecycle;

/// <summary>Holds <see cref="GatedConnection.OnDisconnected"/> until the test opens the gate.</summary>
public sealed class DisconnectGate
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A connection whose disconnect handler waits for a <see cref="DisconnectGate"/>.</summary>
public sealed class GatedConnection(DisconnectGate gate) : PersistentConnection
{
    protected internal override async Task OnDisconnected(IRequest request, string connectionId, bool stopCalled)
    {
        gate.Entered.TrySetResult();
        await gate.Open.Task;
    }
}

/// <summary>The connection manager knows the disconnect handlers it started; shutdown waits for them, for a bounded time.</summary>
public sealed class DisconnectHandlerDrainTests
{
    [Fact]
    public async Task RunningHandlers_AreAwaited_AndTheWaitIsBounded()
    {
        await using var server = await TestServer.StartAsync(
            configureServices: s => s.AddSingleton<DisconnectGate>(),
            configureApp: app => app.MapPersistentConnection<GatedConnection>("/gated"));
        var gate = server.Services.GetRequiredService<DisconnectGate>();
        var manager = server.Services.GetRequiredService<ConnectionManager>();
        using var client = new ProtocolClient(server, "/gated");
        await client.ConnectLongPollingAsync();

        var abort = client.AbortAsync(ProtocolClient.LongPolling);
        await gate.Entered.Task.DefaultTimeout();

        // Bounded: a wait that is given up returns although the handler still runs.
        using (var givenUp = new CancellationTokenSource())
        {
            await givenUp.CancelAsync();
            await manager.DrainHandlersAsync(givenUp.Token).DefaultTimeout();
        }

        Assert.Equal(1, manager.RunningHandlers);
        var drain = manager.DrainHandlersAsync(CancellationToken.None);
        Assert.False(drain.IsCompleted);
        Assert.False(abort.IsCompleted);

        gate.Open.SetResult();
        await drain.DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, (await abort.DefaultTimeout()).Status);
        Assert.Equal(0, manager.RunningHandlers);
    }
}
