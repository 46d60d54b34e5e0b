using Microsoft.Extensions.Time.Testing;
using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>Topics without subscribers are removed after TopicTtl (classic: 100 s), on the TimeProvider's timer.</summary>
public class TopicExpiryTests
{
    // Classic defaults: TopicTtl = 2 × (30 s + 20 s) = 100 s; the sweep runs every TopicTtl / 4.
    private static readonly TimeSpan Ttl = new PersistentConnectionOptions().TopicTtl;
    private static readonly TimeSpan SweepPeriod = Ttl / 4;

    [Fact]
    public void TopicTtl_HasTheClassicDefault()
    {
        Assert.Equal(TimeSpan.FromSeconds(100), Ttl);
    }

    [Fact]
    public void TopicWithoutSubscribers_IsRemovedAfterTheTtl_AndStartsAgainFromZero()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        bus.Publish("a", "1", "2");
        BufferedTopic original = bus.GetOrCreateTopic("a");

        time.Advance(Ttl - SweepPeriod);
        Assert.Equal(1, bus.TopicCount);
        Assert.False(original.IsRemoved);

        time.Advance(SweepPeriod);
        Assert.Equal(0, bus.TopicCount);
        Assert.True(original.IsRemoved);

        Assert.Equal(0UL, bus.GetNextId("a"));
        Assert.NotEqual(original.Key, bus.GetOrCreateTopic("a").Key);
    }

    [Fact]
    public void TopicWithASubscriber_IsNeverRemoved_AndExpiresTtlAfterTheLastOneLeaves()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        var reader = new TestReader(bus, "a");
        bus.Publish("a", "1");

        time.Advance(Ttl * 5);
        Assert.Equal(1, bus.TopicCount);
        Assert.Equal(1UL, bus.GetNextId("a"));

        reader.Dispose();
        time.Advance(Ttl - SweepPeriod);
        Assert.Equal(1, bus.TopicCount);

        time.Advance(SweepPeriod);
        Assert.Equal(0, bus.TopicCount);
    }

    [Fact]
    public void RemoveTopic_StartsTheIdleTime()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        using var reader = new TestReader(bus, ["c", "g"]);
        time.Advance(Ttl * 2);

        reader.Subscription.RemoveTopic("g");
        time.Advance(Ttl + SweepPeriod);

        Assert.Equal(1, bus.TopicCount);
        Assert.Equal(0UL, bus.GetNextId("g"));
    }

    [Fact]
    public void CursorNamingARemovedTopic_StartsAtNow()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        string cursor;
        using (var reader = new TestReader(bus, "a"))
        {
            bus.Publish("a", "1", "2", "3");
            reader.Subscription.Read([], 1);
            cursor = reader.Cursor;
        }

        time.Advance(Ttl + SweepPeriod);
        Assert.Equal(0, bus.TopicCount);

        // The new incarnation has ids 0.. again, so honouring the old position would replay or skip arbitrary messages.
        bus.Publish("a", "new1", "new2");
        using var resumed = new TestReader(bus, "a", cursor);

        Assert.Equal(0, resumed.Notifications);
        Assert.Empty(resumed.DrainTexts());
        Assert.Equal($"d-{bus.ProcessHex}-{bus.KeyOf("a")},2", resumed.Cursor);
        Assert.NotEqual(cursor, resumed.Cursor);
    }

    [Fact]
    public void GetNextId_KeepsTheTopicAliveForAnotherTtl()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        bus.Publish("g", "1");

        time.Advance(Ttl - SweepPeriod);
        ulong position = bus.GetNextId("g");
        time.Advance(Ttl - SweepPeriod);

        Assert.Equal(1, bus.TopicCount);
        Assert.Equal(position, bus.GetNextId("g"));
    }

    [Fact]
    public void Publishing_DoesNotKeepATopicWithoutSubscribersAlive()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        bus.Publish("a", "1");

        for (int i = 0; i < 4; i++)
        {
            time.Advance(SweepPeriod);
            bus.Publish("a", "more");
        }

        // Removed at the fourth sweep (its messages with it), then created again by the last publication.
        Assert.Equal(1UL, bus.GetNextId("a"));
    }

    [Fact]
    public void PublishToARemovedTopicObject_GoesToANewIncarnation()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        BufferedTopic original = bus.GetOrCreateTopic("a");
        time.Advance(Ttl);
        bus.SweepTopics();
        Assert.True(original.IsRemoved);

        Assert.False(original.TryAppend(0, Data("a", "1"), notify: true));
        using var reader = new TestReader(bus, "a");
        bus.Publish("a", "1");

        Assert.Equal(["1"], reader.DrainTexts());
        Assert.NotSame(original, bus.GetOrCreateTopic("a"));
    }

    [Fact]
    public void ShortTtl_FromTheOptions_IsHonoured()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time, configure: o =>
        {
            o.DisconnectTimeout = TimeSpan.FromSeconds(6);
            o.KeepAlive = TimeSpan.FromSeconds(2);
        });
        bus.Publish("a", "1");

        // TopicTtl = 2 × (6 s + 4 s) = 20 s.
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(1, bus.TopicCount);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, bus.TopicCount);
    }

    [Fact]
    public void DisposedBus_StopsSweeping()
    {
        var time = new FakeTimeProvider();
        var bus = CreateBus(timeProvider: time);
        bus.Publish("a", "1");

        bus.Dispose();
        time.Advance(Ttl * 3);

        Assert.Equal(1, bus.TopicCount);
    }
}
