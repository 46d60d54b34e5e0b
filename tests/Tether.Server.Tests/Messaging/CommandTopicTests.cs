using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>
/// The first topic of a subscription is its command topic: every command published before a message of a batch was
/// read is in that batch (or an earlier one).
/// </summary>
public class CommandTopicTests
{
    [Theory]
    [InlineData(3, long.MaxValue)]
    [InlineData(50, long.MaxValue)]
    [InlineData(1000, 40)]
    public async Task ACommandPublishedBeforeAGroupMessage_IsNeverInALaterBatch(int maxMessages, long maxBytes)
    {
        const int Pairs = 20_000;
        const int Groups = 200;
        using var bus = CreateBus(bufferSize: 100_000);
        var signal = new SemaphoreSlim(0);

        // Many groups make the time between the first look at "c" and the last group long, so publications land there.
        using IMessageSubscription subscription = bus.Subscribe(["c", .. Enumerable.Range(0, Groups).Select(g => $"g{g}")], null, () => signal.Release());

        // The publisher sends command k on "c", then message k on a group, as Groups.Remove then a group send would.
        Task publisher = Task.Run(() =>
        {
            for (int k = 0; k < Pairs; k++)
            {
                bus.Publish("c", k.ToString(System.Globalization.CultureInfo.InvariantCulture));
                bus.Publish($"g{k % Groups}", k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        });

        int commandsSeen = 0;
        int groupSeen = 0;
        var batch = new List<Message>();
        while (groupSeen < Pairs)
        {
            batch.Clear();
            if (subscription.Read(batch, maxMessages, maxBytes) == 0)
            {
                await signal.WaitAsync().DefaultTimeout();
                continue;
            }

            foreach (Message message in batch.Where(m => m.Topic == "c"))
            {
                Assert.Equal(commandsSeen++, int.Parse(message.Text(), System.Globalization.CultureInfo.InvariantCulture));
            }

            foreach (Message message in batch.Where(m => m.Topic != "c"))
            {
                int k = int.Parse(message.Text(), System.Globalization.CultureInfo.InvariantCulture);
                groupSeen++;
                Assert.True(k < commandsSeen, $"group message {k} in a batch without command {k}");
            }
        }

        await publisher.DefaultTimeout();
    }

    [Fact]
    public void Read_TakesTheCommandTopicFirst()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["c", "g"]);
        bus.Publish("g", "g1", "g2");
        bus.Publish("c", "c1");

        Assert.Equal(["c1", "g1", "g2"], reader.DrainTexts());
    }
}
