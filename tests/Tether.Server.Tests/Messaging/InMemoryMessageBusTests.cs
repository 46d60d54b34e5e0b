using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

public class InMemoryMessageBusTests
{
    [Fact]
    public void GetNextId_CountsPublishedMessagesPerTopic()
    {
        using var bus = CreateBus();

        Assert.Equal(0UL, bus.GetNextId("a"));
        bus.Publish("a", "1", "2", "3");
        bus.Publish("b", "1");

        Assert.Equal(3UL, bus.GetNextId("a"));
        Assert.Equal(1UL, bus.GetNextId("b"));
        Assert.Equal(0UL, bus.GetNextId("c"));
    }

    [Fact]
    public async Task PublishAsync_CompletesSynchronously_AndDeliversInOrder()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "a");

        ValueTask publication = bus.PublishAsync(Data("a", "\"x\""));
        Assert.True(publication.IsCompletedSuccessfully);
        await publication;
        bus.Publish("a", "1", "{\"k\":2}", "[3]");

        await reader.WaitAsync();
        Assert.Equal(["\"x\"", "1", "{\"k\":2}", "[3]"], reader.DrainTexts());
        Assert.Empty(reader.DrainTexts());
    }

    [Fact]
    public async Task PublishAsync_WithCanceledToken_IsCanceledAndPublishesNothing()
    {
        using var bus = CreateBus();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        ValueTask publication = bus.PublishAsync(Data("a", "1"), cts.Token);

        Assert.True(publication.IsCanceled);
        Assert.Equal(0UL, bus.GetNextId("a"));
    }

    [Fact]
    public void Subscribe_WithoutCursor_StartsAtNow()
    {
        using var bus = CreateBus();
        bus.Publish("a", "old");

        using var reader = new TestReader(bus, "a");
        Assert.Equal(0, reader.Notifications);
        Assert.Empty(reader.DrainTexts());

        bus.Publish("a", "new");
        Assert.Equal(["new"], reader.DrainTexts());
    }

    [Fact]
    public void Publish_NotifiesEverySubscriberCoveringTheTopic_AndNoOther()
    {
        using var bus = CreateBus();
        using var first = new TestReader(bus, ["a", "b"]);
        using var second = new TestReader(bus, "a");
        using var other = new TestReader(bus, "b");

        bus.Publish("a", "1");

        Assert.Equal(1, first.Notifications);
        Assert.Equal(1, second.Notifications);
        Assert.Equal(0, other.Notifications);
        Assert.Equal(["1"], first.DrainTexts());
        Assert.Equal(["1"], second.DrainTexts());
        Assert.Empty(other.DrainTexts());
    }

    [Fact]
    public void Read_ReturnsAtMostMax_AndContinuesWhereItStopped()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "a");
        bus.PublishNumbers("a", 10);

        var batch = new List<Message>();
        Assert.Equal(0, reader.Subscription.Read(batch, 0));
        Assert.Equal(0, reader.Subscription.Read(batch, -1));
        Assert.Equal(4, reader.Subscription.Read(batch, 4));
        Assert.Equal(4, reader.Subscription.Read(batch, 4));
        Assert.Equal(2, reader.Subscription.Read(batch, 4));
        Assert.Equal(0, reader.Subscription.Read(batch, 4));

        Assert.Equal(Numbers(0, 10), batch.Select(m => m.Text()).ToList());
    }

    [Fact]
    public void Read_AppendsToTheCallersList()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "a");
        bus.Publish("a", "1");
        Message existing = Data("x", "0");
        var batch = new List<Message> { existing };

        Assert.Equal(1, reader.Subscription.Read(batch, 10));

        Assert.Same(existing, batch[0]);
        Assert.Equal("1", batch[1].Text());
    }

    [Fact]
    public void Read_KeepsPerTopicOrder_AcrossTopics()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["a", "b", "c"]);
        for (int i = 0; i < 20; i++)
        {
            bus.Publish("abc"[i % 3].ToString(), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        List<Message> all = reader.Subscription.Drain(max: 3);

        Assert.Equal(20, all.Count);
        foreach (var topic in all.GroupBy(m => m.Topic))
        {
            List<int> numbers = topic.Select(m => int.Parse(m.Text(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(numbers.Order().ToList(), numbers);
        }
    }

    [Fact]
    public void Read_IsFair_ABusyTopicDoesNotStarveTheOthers()
    {
        using var bus = CreateBus();
        // The first topic is the command topic, always read first; fairness is among the others.
        using var reader = new TestReader(bus, ["c", "busy", "quiet1", "quiet2"]);
        bus.PublishNumbers("busy", 100);
        bus.Publish("quiet1", "q1");
        bus.Publish("quiet2", "q2");

        var seen = new List<Message>();
        for (int i = 0; i < 3; i++)
        {
            reader.Subscription.Read(seen, 5);
        }

        // Three reads of 5 from a topic with 100 pending: the quiet topics must have been served as well.
        Assert.Contains(seen, m => m.Topic == "quiet1");
        Assert.Contains(seen, m => m.Topic == "quiet2");
    }

    [Fact]
    public void Resubscribe_WithCursor_ReplaysExactlyWhatWasMissed()
    {
        using var bus = CreateBus();
        string cursor;
        using (var reader = new TestReader(bus, ["a", "b"]))
        {
            bus.PublishNumbers("a", 5);
            bus.PublishNumbers("b", 3, first: 100);
            var batch = new List<Message>();
            while (batch.Count < 4)
            {
                reader.Subscription.Read(batch, 1);
            }

            cursor = reader.Cursor;
            Assert.Equal(4, batch.Count);
        }

        // Missed while away.
        bus.PublishNumbers("a", 2, first: 5);
        bus.PublishNumbers("b", 2, first: 103);

        using var resumed = new TestReader(bus, ["a", "b"], cursor);
        List<Message> rest = resumed.Subscription.Drain();

        // Everything published (a: 0..6, b: 100..104) minus the 4 already read, once each.
        Assert.Equal(12 - 4, rest.Count);
        Assert.Equal(rest.Count, rest.Distinct().Count());
        List<string> a = rest.Where(m => m.Topic == "a").Select(m => m.Text()).ToList();
        List<string> b = rest.Where(m => m.Topic == "b").Select(m => m.Text()).ToList();
        Assert.Equal(Numbers(7 - a.Count, a.Count), a);
        Assert.Equal(Numbers(105 - b.Count, b.Count), b);
    }

    [Fact]
    public void Resubscribe_WithCursor_ChainedManyTimes_LosesAndRepeatsNothing()
    {
        using var bus = CreateBus();
        var received = new List<string>();
        string? cursor = null;
        int published = 0;
        for (int round = 0; round < 20; round++)
        {
            using var reader = new TestReader(bus, "a", cursor);
            bus.PublishNumbers("a", 3, first: published);
            published += 3;
            var batch = new List<Message>();
            reader.Subscription.Read(batch, 2);
            received.AddRange(batch.Select(m => m.Text()));
            cursor = reader.Cursor;
        }

        using var last = new TestReader(bus, "a", cursor);
        received.AddRange(last.DrainTexts());

        Assert.Equal(Numbers(0, published), received);
    }

    [Fact]
    public void Subscribe_WhenMessagesArePendingPastTheCursor_InvokesTheCallbackOnce()
    {
        using var bus = CreateBus();
        string cursor;
        using (var reader = new TestReader(bus, "a"))
        {
            cursor = reader.Cursor;
        }

        bus.Publish("a", "1", "2");

        var signaled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        using IMessageSubscription subscription = bus.Subscribe(["a"], cursor, () =>
        {
            Interlocked.Increment(ref calls);
            signaled.TrySetResult();
        });

        Assert.True(signaled.Task.IsCompleted);
        Assert.Equal(1, calls);
        Assert.Equal(["1", "2"], subscription.DrainTexts());
    }

    [Fact]
    public async Task Subscribe_WhenMessagesArePending_AReaderAwaitingTheSignalWakesUp()
    {
        using var bus = CreateBus();
        string cursor;
        using (var reader = new TestReader(bus, "a"))
        {
            cursor = reader.Cursor;
        }

        bus.Publish("a", "1");

        using var resumed = new TestReader(bus, "a", cursor);
        await resumed.WaitAsync();
        Assert.Equal(["1"], resumed.DrainTexts());
    }

    [Fact]
    public void Subscribe_WithCursorAtTheEnd_DoesNotInvokeTheCallback()
    {
        using var bus = CreateBus();
        bus.Publish("a", "1");
        string cursor;
        using (var reader = new TestReader(bus, "a"))
        {
            cursor = reader.Cursor;
        }

        using var resumed = new TestReader(bus, "a", cursor);
        Assert.Equal(0, resumed.Notifications);
    }

    [Fact]
    public void BufferOverflow_ALaggingReaderResumesFromTheOldestKeptMessage()
    {
        using var bus = CreateBus(bufferSize: 4);
        using var reader = new TestReader(bus, "a");

        bus.PublishNumbers("a", 10);

        // Ids 0..5 fell out of the 4-message buffer: a gap, then 6..9 in order.
        Assert.Equal(Numbers(6, 4), reader.DrainTexts());
        Assert.Equal(10UL, bus.GetNextId("a"));
    }

    [Fact]
    public void BufferOverflow_ACursorOlderThanTheBufferResumesFromTheOldestKeptMessage()
    {
        using var bus = CreateBus(bufferSize: 5);
        bus.PublishNumbers("a", 2);
        string cursor;
        using (var reader = new TestReader(bus, "a"))
        {
            cursor = reader.Cursor;
        }

        bus.PublishNumbers("a", 12, first: 2);

        using var resumed = new TestReader(bus, "a", cursor);
        Assert.Equal(1, resumed.Notifications);
        Assert.Equal(Numbers(9, 5), resumed.DrainTexts());
    }

    [Fact]
    public void Buffer_GrowsLazilyUpToTheCap_AndKeepsTheLatestMessages()
    {
        using var bus = CreateBus(bufferSize: 1000);
        BufferedTopic topic = bus.GetOrCreateTopic("a");
        Assert.Equal(0, topic.BufferLength);

        bus.PublishNumbers("a", 1);
        Assert.Equal(8, topic.BufferLength);

        bus.PublishNumbers("a", 8, first: 1);
        Assert.Equal(16, topic.BufferLength);

        // Full length: the 1000 kept messages. No spare slot: a slot is reused only after the head moved past it, and a
        // lock-free reader checks the head after copying.
        bus.PublishNumbers("a", 2491, first: 9);
        Assert.Equal(1000, topic.BufferLength);

        using var reader = new TestReader(bus, "a", $"d-{bus.ProcessHex}-{bus.KeyOf("a")},0");
        Assert.Equal(Numbers(1500, 1000), reader.DrainTexts(max: 7));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(1000)]
    public void Buffer_OfAnySize_DeliversEverythingToAReaderThatKeepsUp(int bufferSize)
    {
        using var bus = CreateBus(bufferSize);
        using var reader = new TestReader(bus, "a");
        var received = new List<string>();

        for (int i = 0; i < 3 * bufferSize + 17; i++)
        {
            bus.PublishNumbers("a", 1, first: i);
            if (i % Math.Max(1, bufferSize / 2) == 0)
            {
                received.AddRange(reader.DrainTexts(max: 3));
            }
        }

        received.AddRange(reader.DrainTexts(max: 3));
        Assert.Equal(Numbers(0, (3 * bufferSize) + 17), received);
    }

    [Fact]
    public void CursorIdBeyondTheTopic_RestartsAtTheOldestBufferedMessage()
    {
        using var bus = CreateBus(bufferSize: 4);
        bus.PublishNumbers("a", 6);

        using var reader = new TestReader(bus, "a", $"d-{bus.ProcessHex}-{bus.KeyOf("a")},FFFF");

        Assert.Equal(1, reader.Notifications);
        Assert.Equal(Numbers(2, 4), reader.DrainTexts());
    }

    [Fact]
    public void ExcludedConnectionIds_PassThroughUntouched()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "a");
        string[] excluded = ["conn-1", "conn-2"];
        Message message = Data("a", "1", excluded);

        bus.Publish(message);
        List<Message> read = reader.Subscription.Drain();

        Message only = Assert.Single(read);
        Assert.Same(message, only);
        Assert.Same(excluded, only.ExcludedConnectionIds);
        Assert.True(only.Excludes("conn-2"));
        Assert.False(only.Excludes("conn-3"));
    }

    [Fact]
    public void Commands_AreDeliveredInOrderWithData()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "c-1");

        bus.Publish("c-1", "1");
        bus.Publish(Message.ForCommand("c-1", new Command(CommandType.AddToGroup, "room", 42)));
        bus.Publish("c-1", "2");

        List<Message> read = reader.Subscription.Drain();
        Assert.Equal(3, read.Count);
        Assert.Null(read[0].Command);
        Assert.Equal(new Command(CommandType.AddToGroup, "room", 42), read[1].Command);
        Assert.Equal("2", read[2].Text());
    }

    [Fact]
    public void Subscribe_WithDuplicateTopics_DeliversEachMessageOnce()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["a", "a", "b", "a"]);

        bus.Publish("a", "1");

        Assert.Equal(1, reader.Notifications);
        Assert.Equal(["1"], reader.DrainTexts());
        Assert.Equal(2, reader.Cursor.Split('|').Length);
    }

    [Fact]
    public void Subscribe_WithNoTopics_Works()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, []);

        Assert.Equal($"d-{bus.ProcessHex}-", reader.Cursor);
        Assert.Empty(reader.DrainTexts());
    }

    [Fact]
    public async Task ArgumentsAreValidated()
    {
        using var bus = CreateBus();

        Assert.Throws<ArgumentNullException>(() => bus.Subscribe(null!, null, () => { }));
        Assert.Throws<ArgumentNullException>(() => bus.Subscribe(["a"], null, null!));
        Assert.Throws<ArgumentException>(() => bus.Subscribe(["a", ""], null, () => { }));
        Assert.ThrowsAny<ArgumentException>(() => bus.GetNextId(""));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await bus.PublishAsync(null!));
    }

    [Fact]
    public void Subscribe_ThatFailsHalfway_LeavesNoRegistration()
    {
        using var bus = CreateBus();

        Assert.Throws<ArgumentException>(() => bus.Subscribe(["a", ""], null, () => { }));

        Assert.Equal(0, bus.GetOrCreateTopic("a").SubscriberCount);
    }

    [Fact]
    public void Dispose_StopsCallbacksAndReads_ButKeepsTheCursor()
    {
        using var bus = CreateBus();
        var reader = new TestReader(bus, "a");
        bus.Publish("a", "1");
        Assert.Equal(["1"], reader.DrainTexts());
        string cursor = reader.Cursor;

        reader.Dispose();
        reader.Dispose();
        bus.Publish("a", "2");

        Assert.Equal(1, reader.Notifications);
        Assert.Empty(reader.DrainTexts());
        Assert.Equal(cursor, reader.Cursor);
        Assert.Equal(0, bus.GetOrCreateTopic("a").SubscriberCount);

        // Topic changes after disposal are ignored and register nothing.
        reader.Subscription.AddTopic("b", 0);
        reader.Subscription.RemoveTopic("a");
        Assert.Equal(0, bus.GetOrCreateTopic("b").SubscriberCount);
        Assert.Equal(cursor, reader.Cursor);
    }

    [Fact]
    public void ACallbackThatThrows_DoesNotFailThePublisherOrStarveOtherSubscribers()
    {
        using var bus = CreateBus();
        using IMessageSubscription faulty = bus.Subscribe(["a"], null, () => throw new InvalidOperationException("bad callback"));
        using var reader = new TestReader(bus, "a");

        bus.Publish("a", "1");

        Assert.Equal(1, reader.Notifications);
        Assert.Equal(["1"], faulty.DrainTexts());
        Assert.Equal(["1"], reader.DrainTexts());
    }

    [Fact]
    public void Dispose_OfTheBus_LeavesItUsable()
    {
        var bus = CreateBus();
        using var reader = new TestReader(bus, "a");
        bus.Dispose();

        bus.Publish("a", "1");

        Assert.Equal(["1"], reader.DrainTexts());
    }
}
