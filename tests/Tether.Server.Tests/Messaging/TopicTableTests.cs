using Microsoft.Extensions.Time.Testing;
using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>The topic table both buses share: GetNextId racing the sweep never drops a live topic.</summary>
public class TopicTableTests
{
    [Fact]
    public async Task GetNextId_RacingTheSweep_NeverForgetsALiveTopic()
    {
        // A time to live of zero: every sweep removes every topic that has no subscriber at that moment.
        using var bus = CreateBus(timeProvider: new FakeTimeProvider(), configure: o =>
        {
            o.DisconnectTimeout = TimeSpan.Zero;
            o.KeepAlive = null;
        });
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long positions = 0;
        Task racer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                bus.GetNextId("t");
                bus.SweepTopics();
                Interlocked.Increment(ref positions);
                started.TrySetResult();
            }
        });
        await started.Task.DefaultTimeout();

        // A subscribed topic cannot expire; had GetNextId forgotten it (looking it up a second time and finding the live
        // one), the publication would find no topic and the reader would get nothing.
        for (int round = 0; round < 2000; round++)
        {
            using var reader = new TestReader(bus, "t");
            await bus.PublishAsync(Data("t", "1"));
            Assert.Equal(["1"], reader.DrainTexts());
        }

        await stop.CancelAsync();
        await racer.DefaultTimeout();
        Assert.True(Interlocked.Read(ref positions) > 1);
    }

    [Fact]
    public void GetNextId_OnATopicFoundRemoved_UsesAFreshOne()
    {
        var time = new FakeTimeProvider();
        using var bus = CreateBus(timeProvider: time);
        BufferedTopic removed = bus.GetOrCreateTopic("t");
        Assert.True(removed.TryExpire(time.GetTimestamp() + TimeSpan.FromDays(1).Ticks, TimeSpan.FromSeconds(1)));

        Assert.Equal(0UL, bus.GetNextId("t"));
        Assert.NotSame(removed, bus.GetOrCreateTopic("t"));
        Assert.False(bus.GetOrCreateTopic("t").IsRemoved);
    }
}
