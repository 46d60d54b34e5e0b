using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>Buffers bounded by bytes: per topic, across all topics of a bus, and per read.</summary>
public class ByteBudgetTests
{
    private static Message Sized(string topic, int bytes, int value) =>
        Data(topic, value.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(bytes, '0'));

    private static int ValueOf(Message message) => int.Parse(message.Text(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Topic_KeepsAtMostMaxTopicBufferBytes_OldestFirst()
    {
        using var bus = CreateBus(configure: o => o.MaxTopicBufferBytes = 1000);
        using var reader = new TestReader(bus, "a");
        string start = reader.Cursor;
        BufferedTopic topic = bus.GetOrCreateTopic("a");

        for (int i = 0; i < 10; i++)
        {
            bus.Publish(Sized("a", 300, i));
            Assert.True(topic.BufferedBytes <= 1000, $"{topic.BufferedBytes} bytes after {i + 1} messages");
        }

        Assert.Equal(900, topic.BufferedBytes);
        Assert.Equal(3, topic.Count);
        Assert.Equal(7, bus.Budget.TrimmedForTopicBytes);

        // A reader from the start sees the gap exactly as with a trimmed ring: the last three messages.
        using var resumed = new TestReader(bus, "a", start);
        Assert.Equal([7, 8, 9], resumed.Subscription.Drain().Select(ValueOf));
    }

    [Fact]
    public void Topic_AlwaysKeepsItsNewestMessage_HoweverLarge()
    {
        using var bus = CreateBus(configure: o => o.MaxTopicBufferBytes = 1000);
        using var reader = new TestReader(bus, "a");
        bus.Publish(Sized("a", 300, 1));
        bus.Publish(Sized("a", 5000, 2));

        BufferedTopic topic = bus.GetOrCreateTopic("a");
        Assert.Equal(1, topic.Count);
        Assert.Equal(5000, topic.BufferedBytes);
        Assert.Equal([2], reader.Subscription.Drain().Select(ValueOf));
    }

    [Fact]
    public void AllTopics_KeepAtMostMaxBufferedBytes_EvictingTheOldestAcrossTopics()
    {
        using var bus = CreateBus(configure: o =>
        {
            o.MaxTopicBufferBytes = 1000;
            o.MaxBufferedBytes = 3000;
        });
        var readers = Enumerable.Range(0, 10).Select(i => new TestReader(bus, $"t{i}")).ToList();
        string[] starts = readers.Select(r => r.Cursor).ToArray();

        // 10 topics × 3 messages × 300 bytes = 9000 bytes published; 3000 may stay.
        for (int t = 0; t < 10; t++)
        {
            for (int m = 0; m < 3; m++)
            {
                bus.Publish(Sized($"t{t}", 300, (t * 10) + m));
                Assert.True(bus.Budget.BufferedBytes <= 3000, $"{bus.Budget.BufferedBytes} bytes buffered");
            }
        }

        Assert.Equal(3000, bus.Budget.BufferedBytes);
        Assert.Equal(10, bus.Budget.BufferedMessages);
        Assert.Equal(20, bus.Budget.EvictedMessages);

        // Oldest first across topics: the first six topics are empty, the seventh keeps its newest message, the last three are whole.
        var kept = new List<int>();
        for (int t = 0; t < 10; t++)
        {
            using var resumed = new TestReader(bus, $"t{t}", starts[t]);
            kept.AddRange(resumed.Subscription.Drain().Select(ValueOf));
        }

        Assert.Equal([62, 70, 71, 72, 80, 81, 82, 90, 91, 92], kept);
        readers.ForEach(r => r.Dispose());
    }

    [Fact]
    public void Eviction_ThenExpiry_ReturnEveryByteToTheBudget()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time, configure: o => o.MaxBufferedBytes = 2000);
        for (int i = 0; i < 50; i++)
        {
            bus.GetNextId($"t{i % 7}");
            bus.Publish(Sized($"t{i % 7}", 100 + i, i));
        }

        Assert.True(bus.Budget.BufferedBytes <= 2000);
        Assert.Equal(bus.Budget.BufferedBytes, Enumerable.Range(0, 7).Sum(i => bus.GetOrCreateTopic($"t{i}").BufferedBytes));

        time.Advance(new PersistentConnectionOptions().TopicTtl * 2);
        Assert.Equal(0, bus.TopicCount);
        Assert.Equal(0, bus.Budget.BufferedBytes);
        Assert.Equal(0, bus.Budget.BufferedMessages);
    }

    [Fact]
    public void Read_StopsBeforeTheMessageThatWouldPassMaxBytes()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["a", "b"]);
        for (int i = 0; i < 5; i++)
        {
            bus.Publish(Sized("a", 100, i));
            bus.Publish(Sized("b", 100, 10 + i));
        }

        var batch = new List<Message>();
        Assert.Equal(2, reader.Subscription.Read(batch, 100, 250));
        Assert.Equal(200, batch.Sum(m => m.Payload.Length));

        // Across topics too: 4 of "a" then 2 of "b" fit in 600 bytes.
        batch.Clear();
        Assert.Equal(6, reader.Subscription.Read(batch, 100, 600));
        Assert.Equal([2, 3, 4, 10, 11, 12], batch.Select(ValueOf));

        batch.Clear();
        Assert.Equal(2, reader.Subscription.Read(batch, 100, 1000));
        Assert.Equal([13, 14], batch.Select(ValueOf));
    }

    [Fact]
    public void Read_AlwaysMovesTheFirstMessage_HoweverLarge()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "a");
        bus.Publish(Sized("a", 5000, 1));
        bus.Publish(Sized("a", 10, 2));

        var batch = new List<Message>();
        Assert.Equal(1, reader.Subscription.Read(batch, 100, 100));
        Assert.Equal(1, reader.Subscription.Read(batch, 100, 100));
        Assert.Equal([1, 2], batch.Select(ValueOf));
    }

    [Fact]
    public void Read_WithMaxBytes_DeliversEverythingOnceInOrder()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["c", "a", "b"]);
        var rng = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            bus.Publish(Sized(i % 3 == 0 ? "c" : i % 3 == 1 ? "a" : "b", rng.Next(1, 400), i));
        }

        var all = new List<Message>();
        var batch = new List<Message>();
        while (reader.Subscription.Read(batch, 50, 1000) is int read and > 0)
        {
            Assert.True(batch.Count == 1 || batch.Sum(m => m.Payload.Length) <= 1000);
            all.AddRange(batch);
            batch.Clear();
        }

        Assert.Equal(Enumerable.Range(0, 300), all.Select(ValueOf).Order());
        foreach (IGrouping<string, Message> topic in all.GroupBy(m => m.Topic))
        {
            Assert.Equal(topic.Select(ValueOf).Order(), topic.Select(ValueOf));
        }
    }
}
