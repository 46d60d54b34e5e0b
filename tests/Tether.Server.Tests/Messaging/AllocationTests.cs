using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>The broadcast hot path: publishing and reading allocate nothing once a topic's buffer has grown.</summary>
public class AllocationTests
{
    [Fact]
    public void PublishToManySubscribers_AndRead_DoNotAllocate()
    {
        using var bus = CreateBus(bufferSize: 64);
        int notifications = 0;
        Action callback = () => Interlocked.Increment(ref notifications);
        IMessageSubscription[] subscriptions = Enumerable.Range(0, 100).Select(_ => bus.Subscribe(["broadcast", "other"], null, callback)).ToArray();
        Message message = Data("broadcast", "1");
        var batch = new List<Message>(256);

        // Warm up: grow the ring to its cap, JIT everything, and fill each subscription's cursor cache once.
        for (int i = 0; i < 200; i++)
        {
            bus.Publish(message);
        }

        foreach (IMessageSubscription subscription in subscriptions)
        {
            subscription.Read(batch, 256);
            batch.Clear();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            bus.Publish(message);
        }

        int read = 0;
        foreach (IMessageSubscription subscription in subscriptions)
        {
            read += subscription.Read(batch, 256);
            batch.Clear();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(100 * 50, read);
        Assert.Equal(100 * 250, notifications);
        foreach (IMessageSubscription subscription in subscriptions)
        {
            subscription.Dispose();
        }
    }

    [Fact]
    public void Cursor_IsOnlyBuiltWhenThePositionChanged()
    {
        using var bus = CreateBus();
        using IMessageSubscription subscription = bus.Subscribe(["a", "b", "c"], null, () => { });
        _ = subscription.Cursor;
        subscription.Read([], 10);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = subscription.Cursor;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
