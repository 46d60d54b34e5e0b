using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>AddTopic and RemoveTopic: how groups join and leave a live subscription.</summary>
public class SubscriptionTopicsTests
{
    [Fact]
    public void AddTopic_AtAPositionTakenBeforePublication_MissesNothing()
    {
        using var bus = CreateBus();
        bus.Publish("g", "before");
        using var reader = new TestReader(bus, "c");

        // The group manager takes the position, then the command travels on the connection topic while the group gets traffic.
        ulong position = bus.GetNextId("g");
        bus.Publish(Message.ForCommand("c", new Command(CommandType.AddToGroup, "g", position)));
        bus.Publish("g", "after1", "after2");

        Message command = Assert.Single(reader.Subscription.Drain());
        reader.Subscription.AddTopic("g", command.Command!.Position);

        Assert.Equal(["after1", "after2"], reader.DrainTexts());
        bus.Publish("g", "after3");
        Assert.Equal(["after3"], reader.DrainTexts());
    }

    [Fact]
    public void AddTopic_WithPendingMessages_InvokesTheCallback()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "c");
        ulong position = bus.GetNextId("g");
        bus.Publish("g", "1");

        reader.Subscription.AddTopic("g", position);

        Assert.Equal(1, reader.Notifications);
    }

    [Fact]
    public void AddTopic_AtNow_DoesNotInvokeTheCallback_ButLaterMessagesDo()
    {
        using var bus = CreateBus();
        bus.Publish("g", "old");
        using var reader = new TestReader(bus, "c");

        reader.Subscription.AddTopic("g", bus.GetNextId("g"));
        Assert.Equal(0, reader.Notifications);

        bus.Publish("g", "new");
        Assert.Equal(1, reader.Notifications);
        Assert.Equal(["new"], reader.DrainTexts());
    }

    [Fact]
    public void AddTopic_OlderThanTheBuffer_StartsAtTheOldestKeptMessage()
    {
        using var bus = CreateBus(bufferSize: 3);
        using var reader = new TestReader(bus, "c");
        bus.PublishNumbers("g", 10);

        reader.Subscription.AddTopic("g", 2);

        Assert.Equal(Numbers(7, 3), reader.DrainTexts());
    }

    [Fact]
    public void AddTopic_BeyondTheTopic_StartsAtTheOldestKeptMessage()
    {
        // A position beyond the topic comes from an earlier incarnation of it: everything buffered is newer.
        using var bus = CreateBus(bufferSize: 3);
        using var reader = new TestReader(bus, "c");
        bus.PublishNumbers("g", 5);

        reader.Subscription.AddTopic("g", 500);

        Assert.Equal(Numbers(2, 3), reader.DrainTexts());
    }

    [Fact]
    public void AddTopic_ForACoveredTopic_KeepsItsPosition()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "g");
        bus.Publish("g", "1", "2");
        Assert.Equal(["1", "2"], reader.DrainTexts());
        string cursor = reader.Cursor;

        reader.Subscription.AddTopic("g", 0);

        Assert.Equal(cursor, reader.Cursor);
        Assert.Empty(reader.DrainTexts());
        Assert.Equal(1, bus.GetOrCreateTopic("g").SubscriberCount);
    }

    [Fact]
    public void AddTopic_AppearsInTheCursor_AndResumesFromIt()
    {
        using var bus = CreateBus();
        string cursor;
        using (var reader = new TestReader(bus, "c"))
        {
            reader.Subscription.AddTopic("g", bus.GetNextId("g"));
            bus.Publish("g", "1");
            Assert.Equal(["1"], reader.DrainTexts());
            cursor = reader.Cursor;
            Assert.Contains($"{bus.KeyOf("g")},1", cursor.Split('-', 3)[2].Split('|'));
        }

        bus.Publish("g", "2");

        using var resumed = new TestReader(bus, ["c", "g"], cursor);
        Assert.Equal(["2"], resumed.DrainTexts());
    }

    [Fact]
    public void RemoveTopic_StopsDeliveryAndNotification_AndLeavesTheCursor()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["c", "g"]);
        string key = bus.KeyOf("g");
        Assert.Contains($"|{key},0", reader.Cursor);

        reader.Subscription.RemoveTopic("g");
        bus.Publish("g", "1");

        Assert.Equal(0, reader.Notifications);
        Assert.Empty(reader.DrainTexts());
        Assert.DoesNotContain("|", reader.Cursor);
        Assert.Equal(0, bus.GetOrCreateTopic("g").SubscriberCount);

        bus.Publish("c", "2");
        Assert.Equal(["2"], reader.DrainTexts());
    }

    [Fact]
    public void RemoveTopic_DropsUnreadMessagesOfThatTopicOnly()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["c", "g"]);
        bus.Publish("g", "g1");
        bus.Publish("c", "c1");

        reader.Subscription.RemoveTopic("g");

        Assert.Equal(["c1"], reader.DrainTexts());
    }

    [Fact]
    public void RemoveTopic_ThatIsNotCovered_IsIgnored()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "c");
        string cursor = reader.Cursor;

        reader.Subscription.RemoveTopic("nope");

        Assert.Same(cursor, reader.Cursor);
    }

    [Fact]
    public void RemoveThenAddTopic_StartsAtTheGivenPosition()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["c", "g"]);
        reader.Subscription.RemoveTopic("g");
        ulong position = bus.GetNextId("g");
        bus.Publish("g", "1");

        reader.Subscription.AddTopic("g", position);

        Assert.Equal(["1"], reader.DrainTexts());
        Assert.Equal(1, bus.GetOrCreateTopic("g").SubscriberCount);
    }
}
