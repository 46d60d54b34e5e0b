using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>No buffer for topics nobody reads: publishing alone never creates a topic.</summary>
public class UnbufferedTopicTests
{
    [Fact]
    public async Task PublishToATopicNobodyCreated_BuffersNothing_AndIsCounted()
    {
        using var bus = CreateBus();
        byte[] payload = new byte[1024 * 1024];
        payload.AsSpan().Fill((byte)'1');

        // The flood of the issue: 150 one-megabyte sends to connections that never connected.
        for (int i = 0; i < 150; i++)
        {
            await bus.PublishAsync(new Message($"c-never-connected-{i}", payload));
        }

        Assert.Equal(0, bus.TopicCount);
        Assert.Equal(0, bus.Budget.BufferedBytes);
        Assert.Equal(150, bus.UnbufferedMessages);
    }

    [Fact]
    public async Task GetNextId_CreatesTheTopic_SoMessagesBeforeTheFirstReadAreKept()
    {
        using var bus = CreateBus();
        ulong start = bus.GetNextId("c-1");
        await bus.PublishAsync(Data("c-1", "early"));

        using var reader = new TestReader(bus, "c-1", $"d-{bus.ProcessHex}-{bus.KeyOf("c-1")},{start:X}");

        Assert.Equal(["early"], reader.DrainTexts());
        Assert.Equal(0, bus.UnbufferedMessages);
    }

    [Fact]
    public async Task AddTopic_CreatesTheTopic()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, "c");
        reader.Subscription.AddTopic("g", 0);
        await bus.PublishAsync(Data("g", "1"));

        Assert.Equal(["1"], reader.DrainTexts());
    }
}
