using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>Re-subscribing (a long poll per round) costs the same whatever the number of other subscribers.</summary>
public class SubscriberSetTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static long AllocatedPerResubscribe(int others)
    {
        using var bus = CreateBus();
        var subscriptions = Enumerable.Range(0, others).Select(_ => bus.Subscribe(["broadcast"], null, static () => { })).ToList();
        string[] topics = ["c-1", "broadcast"];
        for (int i = 0; i < 10; i++)
        {
            bus.Subscribe(topics, null, static () => { }).Dispose();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            bus.Subscribe(topics, null, static () => { }).Dispose();
        }

        long perCycle = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        subscriptions.ForEach(s => s.Dispose());
        return perCycle;
    }

    [Fact]
    public void Resubscribing_AllocatesTheSame_WithTenOrTenThousandOtherSubscribers()
    {
        long few = AllocatedPerResubscribe(10);
        long many = AllocatedPerResubscribe(10_000);

        // Copying the subscriber array per subscribe would cost 8 bytes per other subscriber: 80 KB here.
        output.WriteLine($"bytes allocated per subscribe + dispose: {few} with 10 others, {many} with 10,000 others");
        Assert.Equal(few, many);
        Assert.True(many < 1024, $"{many} bytes per subscribe and dispose");
    }

    [Fact]
    public void FreedSlots_AreReused_AndEveryLiveSubscriberIsNotified()
    {
        using var bus = CreateBus();
        var readers = Enumerable.Range(0, 64).Select(_ => new TestReader(bus, "t")).ToList();
        for (int i = 0; i < 64; i += 2)
        {
            readers[i].Dispose();
        }

        var added = Enumerable.Range(0, 32).Select(_ => new TestReader(bus, "t")).ToList();
        BufferedTopic topic = bus.GetOrCreateTopic("t");
        Assert.Equal(64, topic.SubscriberCount);

        bus.Publish("t", "1");
        Assert.All(readers.Where((_, i) => i % 2 == 1).Concat(added), r => Assert.Equal(1, r.Notifications));
        Assert.All(readers.Where((_, i) => i % 2 == 0), r => Assert.Equal(0, r.Notifications));
        readers.Concat(added).ToList().ForEach(r => r.Dispose());
    }
}
