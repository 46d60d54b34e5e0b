using Tether.Server.Internal;

namespace Tether.Server.Tests.Transports;

/// <summary>
/// A WebSocket's input loop holds back the wake-up its handler causes for the connection's receive loop and runs that
/// loop on its own thread once the handler has returned; every other wake-up still goes through the thread pool.
/// </summary>
public sealed class DeferredWakeUpTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void ASetInsideTheScope_WakesTheWaiterOnlyWhenTheScopeEnds_OnTheScopesThread()
    {
        var signal = new AsyncAutoResetSignal();
        var woken = new Woken();
        var waiter = WaitAsync(signal, woken);

        using (signal.DeferWakeUps())
        {
            signal.Set();
            Assert.False(waiter.IsCompleted);
            Assert.Null(woken.ThreadId);
        }

        Assert.True(waiter.IsCompleted);
        Assert.Equal(Environment.CurrentManagedThreadId, woken.ThreadId);
    }

    [Fact]
    public async Task AScopeOfAnotherSignal_DoesNotHoldBackThisOne()
    {
        var signal = new AsyncAutoResetSignal();
        var other = new AsyncAutoResetSignal();
        var waiter = WaitAsync(signal, new Woken());

        using (other.DeferWakeUps())
        {
            signal.Set();
        }

        // Held back by mistake, it would never be woken: the other scope's end wakes only the other signal's waiter.
        await waiter.WaitAsync(s_timeout);
    }

    [Fact]
    public async Task ASetWithoutAWaiter_IsRemembered_AndAScopeWithoutASet_WakesNothing()
    {
        var signal = new AsyncAutoResetSignal();
        using (signal.DeferWakeUps())
        {
            signal.Set();
        }

        // Remembered: the next wait completes at once.
        Assert.True(signal.WaitAsync().AsTask().IsCompleted);

        var woken = new Woken();
        var waiter = WaitAsync(signal, woken);
        using (signal.DeferWakeUps())
        {
        }

        Assert.False(waiter.IsCompleted);
        signal.Set();
        await waiter.WaitAsync(s_timeout);
        Assert.NotNull(woken.ThreadId);
    }

    private static async Task WaitAsync(AsyncAutoResetSignal signal, Woken woken)
    {
        await signal.WaitAsync().ConfigureAwait(false);
        woken.ThreadId = Environment.CurrentManagedThreadId;
    }

    private sealed class Woken
    {
        public int? ThreadId { get; set; }
    }
}
