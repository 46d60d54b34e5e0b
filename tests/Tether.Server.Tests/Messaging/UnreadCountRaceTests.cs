using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>
/// <see cref="IMessageSubscription.UnreadCount"/> is read by a WebSocket's input loop (back-pressure) while the
/// receive loop adds and removes group topics: it must never throw, whatever it catches mid-change.
/// </summary>
public sealed class UnreadCountRaceTests
{
    [Fact]
    public async Task UnreadCount_WhileTopicsAreAddedAndRemoved_NeverThrows()
    {
        using var bus = CreateBus();
        bus.Publish("pc", "1", "2");
        using var subscription = bus.Subscribe(["pc", "c"], cursor: null, static () => { });
        const int rounds = 200_000;
        using var done = new CancellationTokenSource();

        var reader = Task.Run(() =>
        {
            long reads = 0;
            while (!done.IsCancellationRequested)
            {
                Assert.True(subscription.UnreadCount >= 0);
                reads++;
            }

            return reads;
        });

        var writer = Task.Run(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                // The last entry is the one RemoveTopic clears, the window the reader could fall into.
                subscription.AddTopic("g" + (i % 3), bus.GetNextId("g" + (i % 3)));
                subscription.RemoveTopic("g" + (i % 3));
            }
        });

        await writer.DefaultTimeout();
        await done.CancelAsync();
        long reads = await reader.DefaultTimeout();
        Assert.True(reads > 0);
    }
}
