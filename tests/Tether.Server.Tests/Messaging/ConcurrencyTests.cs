using System.Globalization;
using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>Many publisher threads, one reader per subscription: every message once, in per-topic order.</summary>
public class ConcurrencyTests
{
    private const int Publishers = 4;

    [Fact]
    public async Task ManyPublishers_OneReader_GetsEveryMessageExactlyOnceInOrder()
    {
        const int perPublisher = 5000;
        using var bus = CreateBus(bufferSize: Publishers * perPublisher * 2);
        string[] topics = ["shared", .. Enumerable.Range(0, Publishers).Select(p => $"own{p}")];
        using var reader = new TestReader(bus, topics);

        Task[] publishers = StartPublishers(bus, perPublisher);
        var received = new List<Message>();
        var batch = new List<Message>();
        while (received.Count < 2 * Publishers * perPublisher)
        {
            await reader.WaitAsync();
            while (reader.Subscription.Read(batch, 64) > 0)
            {
                received.AddRange(batch);
                batch.Clear();
            }
        }

        await Task.WhenAll(publishers).DefaultTimeout();
        Assert.Equal(0, reader.Subscription.Read(batch, 64));

        // Own topics: 0..n-1 exactly. Shared topic: each publisher's sequence exactly, interleaved in any way.
        for (int p = 0; p < Publishers; p++)
        {
            Assert.Equal(Numbers(0, perPublisher), received.Where(m => m.Topic == $"own{p}").Select(m => m.Text()).ToList());
            Assert.Equal(
                Enumerable.Range(0, perPublisher).Select(i => $"\"{p}:{i}\"").ToList(),
                received.Where(m => m.Topic == "shared" && m.Text().StartsWith($"\"{p}:", StringComparison.Ordinal)).Select(m => m.Text()).ToList());
        }

        Assert.Equal((ulong)(Publishers * perPublisher), bus.GetNextId("shared"));
    }

    [Theory]
    [InlineData(1, long.MaxValue, long.MaxValue)]
    [InlineData(2, long.MaxValue, long.MaxValue)]
    [InlineData(16, long.MaxValue, long.MaxValue)]
    [InlineData(1000, 20L, long.MaxValue)]
    [InlineData(1000, 1000L, 60L)]
    public async Task SmallBuffer_LaggingReader_SeesGapsButNeverTornDuplicatedOrReorderedMessages(int bufferSize, long topicBytes, long totalBytes)
    {
        // The buffer wraps (or is trimmed by bytes, or evicted across topics) constantly while the reader copies without
        // a lock: overwritten and cleared slots must be detected.
        const int perPublisher = 20_000;
        using var bus = CreateBus(bufferSize, configure: o =>
        {
            o.MaxTopicBufferBytes = topicBytes;
            o.MaxBufferedBytes = totalBytes;
        });
        string[] topics = ["shared", .. Enumerable.Range(0, Publishers).Select(p => $"own{p}")];
        using var reader = new TestReader(bus, topics);

        Task publishers = Task.WhenAll(StartPublishers(bus, perPublisher));
        var lastOwn = new int[Publishers];
        var lastShared = new int[Publishers];
        Array.Fill(lastOwn, -1);
        Array.Fill(lastShared, -1);
        var batch = new List<Message>();
        int received = 0;
        while (true)
        {
            // Drain once more after the publishers finished: then nothing can be unread any more.
            bool finished = publishers.IsCompleted;
            while (reader.Subscription.Read(batch, Math.Min(bufferSize, 16)) > 0)
            {
                foreach (Message message in batch)
                {
                    received++;
                    if (message.Topic == "shared")
                    {
                        string[] parts = message.Text().Trim('"').Split(':');
                        int p = int.Parse(parts[0], CultureInfo.InvariantCulture);
                        int i = int.Parse(parts[1], CultureInfo.InvariantCulture);
                        Assert.True(i > lastShared[p], $"shared {p}:{i} after {lastShared[p]}");
                        lastShared[p] = i;
                    }
                    else
                    {
                        int p = message.Topic[^1] - '0';
                        int i = int.Parse(message.Text(), CultureInfo.InvariantCulture);
                        Assert.True(i > lastOwn[p], $"own{p} {i} after {lastOwn[p]}");
                        lastOwn[p] = i;
                    }
                }

                batch.Clear();
            }

            if (finished)
            {
                break;
            }

            await Task.WhenAny(reader.WaitAsync(), publishers).DefaultTimeout();
        }

        await publishers.DefaultTimeout();

        long bound = Math.Min(totalBytes, topicBytes == long.MaxValue ? long.MaxValue : topicBytes * topics.Length);
        Assert.InRange(bus.Budget.BufferedBytes, 0, bound);
        if (totalBytes == long.MaxValue)
        {
            // The newest message of each topic is never dropped by the topic's own bounds, so it is always delivered.
            Assert.All(lastOwn, last => Assert.Equal(perPublisher - 1, last));
            Assert.Contains(perPublisher - 1, lastShared);
            Assert.InRange(received, 1 + Publishers, 2 * Publishers * perPublisher);
        }
    }

    [Fact]
    public async Task ManyReaders_EachGetsEveryBroadcast()
    {
        const int readers = 50;
        const int messages = 2000;
        using var bus = CreateBus(bufferSize: messages);
        TestReader[] subscriptions = Enumerable.Range(0, readers).Select(_ => new TestReader(bus, "broadcast")).ToArray();
        try
        {
            Task publisher = Task.Run(() => bus.PublishNumbers("broadcast", messages));
            Task<List<string>>[] reads = subscriptions.Select(r => Task.Run(async () =>
            {
                var texts = new List<string>();
                while (texts.Count < messages)
                {
                    await r.WaitAsync();
                    texts.AddRange(r.DrainTexts(max: 10));
                }

                return texts;
            })).ToArray();

            await publisher.DefaultTimeout();
            foreach (List<string> texts in await Task.WhenAll(reads).DefaultTimeout())
            {
                Assert.Equal(Numbers(0, messages), texts);
            }
        }
        finally
        {
            foreach (TestReader r in subscriptions)
            {
                r.Dispose();
            }
        }
    }

    [Fact]
    public async Task SubscribeAndDispose_RacingWithPublishers_IsHarmless()
    {
        using var bus = CreateBus(bufferSize: 64);
        using var stop = new CancellationTokenSource();
        Task[] publishers = Enumerable.Range(0, 2).Select(p => Task.Run(async () =>
        {
            int i = 0;
            while (!stop.IsCancellationRequested)
            {
                await bus.PublishAsync(Data(i % 2 == 0 ? "a" : "b", "1"));
                i++;
            }
        })).ToArray();

        for (int round = 0; round < 2000; round++)
        {
            var reader = new TestReader(bus, ["a", "b"], round % 3 == 0 ? null : $"d-{bus.ProcessHex}-1,0|2,0");
            reader.Subscription.Read([], 3);
            reader.Subscription.AddTopic("c", 0);
            reader.Subscription.RemoveTopic("a");
            reader.Dispose();
            reader.Subscription.AddTopic("d", 0);
        }

        await stop.CancelAsync();
        await Task.WhenAll(publishers).DefaultTimeout();

        foreach (string topic in new[] { "a", "b", "c", "d" })
        {
            Assert.Equal(0, bus.GetOrCreateTopic(topic).SubscriberCount);
        }
    }

    [Fact]
    public async Task DisposeFromAnotherThread_WhileTheReaderAddsTopics_LeavesNoRegistration()
    {
        using var bus = CreateBus();
        for (int round = 0; round < 500; round++)
        {
            var subscription = bus.Subscribe(["c"], null, () => { });
            string group = $"g{round}";
            Task dispose = Task.Run(subscription.Dispose);
            subscription.AddTopic(group, 0);
            await dispose.DefaultTimeout();

            Assert.Equal(0, bus.GetOrCreateTopic(group).SubscriberCount);
            Assert.Equal(0, bus.GetOrCreateTopic("c").SubscriberCount);
        }
    }

    private static Task[] StartPublishers(IMessageBus bus, int perPublisher)
    {
        // Not disposed: the publishers may still be leaving it when this method returns.
        var start = new Barrier(Publishers);
        return Enumerable.Range(0, Publishers).Select(p => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < perPublisher; i++)
            {
                string n = i.ToString(CultureInfo.InvariantCulture);
                bus.Publish(Data($"own{p}", n));
                bus.Publish(Data("shared", $"\"{p}:{n}\""));
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
    }
}
