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
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                Assert.True(subscription.UnreadCount >= 0);
                reading.TrySetResult();
            }
        });

        // The writer starts once the reader is reading, so the two overlap even on a busy machine.
        await reading.Task.DefaultTimeout();
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
        await reader.DefaultTimeout();
    }
}
