using System.Text.Json;
using Tether.Server.Internal;
using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>
/// The per-message work of a WebSocket echo besides the payload: the sender's topic name, the response's cursor and its
/// envelope cost no allocation once a connection is set up, and the formatted cursor is the cursor.
/// </summary>
public class EchoPathAllocationTests
{
    private const string ConnectionId = "0f8fad5b-d9cb-469f-a165-70867728950e";

    [Fact]
    public void ConnectionTopic_OfAConnectionTheBusHolds_IsTheBusString_AndAllocatesNothing()
    {
        using var bus = CreateBus();
        using IMessageSubscription subscription = bus.Subscribe([Topics.ForConnection(ConnectionId)], null, () => { });
        string first = Topics.ForConnection(ConnectionId, bus);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Assert.Same(first, Topics.ForConnection(ConnectionId, bus));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("c-" + ConnectionId, first);
    }

    [Fact]
    public void ConnectionTopic_OfAConnectionTheBusDoesNotHold_IsBuilt()
    {
        using var bus = CreateBus();

        string topic = Topics.ForConnection(ConnectionId, bus);

        Assert.Equal("c-" + ConnectionId, topic);
        Assert.False(bus.HasTopic(topic));
        Assert.Equal("c-" + new string('x', 300), Topics.ForConnection(new string('x', 300), bus));
    }

    [Fact]
    public void FormattedCursor_IsTheCursor_AsTopicsAreRead_Added_AndRemoved()
    {
        using var bus = CreateBus();
        using IMessageSubscription subscription = bus.Subscribe(["c-1", "pc-Echo"], null, () => { });
        var formattable = Assert.IsAssignableFrom<TopicSubscription>(subscription);
        AssertFormatsAsCursor(formattable);

        bus.PublishNumbers("pc-Echo", 300);
        subscription.Drain();
        AssertFormatsAsCursor(formattable);

        subscription.AddTopic("pcg-Echo.g", bus.GetNextId("pcg-Echo.g"));
        bus.PublishNumbers("pcg-Echo.g", 17);
        subscription.Drain();
        AssertFormatsAsCursor(formattable);

        subscription.RemoveTopic("pc-Echo");
        AssertFormatsAsCursor(formattable);
    }

    [Fact]
    public void EchoResponse_WithTheSessionsCursor_AllocatesNothing_AndCarriesTheCursor()
    {
        // A small replay buffer: the warm-up grows the topic's ring to its cap, so the measured part appends in place.
        using var bus = CreateBus(bufferSize: 16);
        using IMessageSubscription subscription = bus.Subscribe([Topics.ForConnection(ConnectionId), "pc-Echo"], null, () => { });
        using var session = new ReceiveSession(ConnectionId, isLongPolling: false, startedAt: 0, TimeSpan.FromSeconds(5), CancellationToken.None);
        using var frame = new PooledBufferWriter(0);
        var batch = new List<Message>(4);
        Message[] messages = Enumerable.Range(0, 200).Select(i => Data(Topics.ForConnection(ConnectionId), "\"echo " + i + "\"")).ToArray();
        int read = 0;
        for (int i = 0; i < 100; i++)
        {
            read += EchoOnce(messages[i]);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 100; i < 200; i++)
        {
            read += EchoOnce(messages[i]);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(200, read);
        EchoOnce(Data(Topics.ForConnection(ConnectionId), "\"last\""));
        using var json = JsonDocument.Parse(frame.WrittenMemory);
        Assert.Equal(subscription.Cursor, json.RootElement.GetProperty("C").GetString());
        Assert.Equal("last", json.RootElement.GetProperty("M")[0].GetString());
        Assert.Equal(subscription.Cursor, session.LastSentCursor);

        int EchoOnce(Message message)
        {
            frame.Release();
            batch.Clear();
            bus.Publish(message);
            int count = subscription.Read(batch, 100, long.MaxValue);
            PersistentResponseWriter.Write(frame, new PersistentResponseHeader(session.TakeSentCursor(subscription)), batch, ConnectionId);
            return count;
        }
    }

    private static void AssertFormatsAsCursor(TopicSubscription subscription)
    {
        var chars = new char[subscription.CursorLength];
        int written = subscription.FormatCursor(chars);
        Assert.Equal(chars.Length, written);
        Assert.Equal(subscription.Cursor, new string(chars));
    }
}
