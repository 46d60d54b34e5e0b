using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tether.Server.Messaging;

namespace Tether.Server.Tests.Messaging;

/// <summary>Builds buses and messages for the message-bus tests.</summary>
internal static class MessageBusTestKit
{
    /// <summary>A bus on a fake clock (so no real sweep timer ever runs), with the given buffer size per topic.</summary>
    public static InMemoryMessageBus CreateBus(int bufferSize = 1000, TimeProvider? timeProvider = null, Action<PersistentConnectionOptions>? configure = null)
    {
        var options = new PersistentConnectionOptions { DefaultMessageBufferSize = bufferSize };
        configure?.Invoke(options);
        return new InMemoryMessageBus(Options.Create(options), timeProvider ?? new FakeTimeProvider());
    }

    public static Message Data(string topic, string json, IReadOnlyList<string>? excluded = null) =>
        new(topic, Encoding.UTF8.GetBytes(json), excluded);

    public static string Text(this Message message) => Encoding.UTF8.GetString(message.Payload.Span);

    /// <summary>Publishes data messages and checks that publication completed synchronously.</summary>
    public static void Publish(this IMessageBus bus, string topic, params string[] payloads)
    {
        foreach (string payload in payloads)
        {
            bus.Publish(Data(topic, payload));
        }
    }

    /// <summary>
    /// Publishes one message as a topic with a reader sees it: the in-process bus does not buffer publications to topics
    /// nothing created (no subscriber, GetNextId or added topic), so the topic is created first, without touching an
    /// existing one (these tests are about buffering, cursors and expiry of topics that exist).
    /// </summary>
    public static void Publish(this IMessageBus bus, Message message)
    {
        if (bus is InMemoryMessageBus inMemory)
        {
            inMemory.GetOrCreateTopic(message.Topic);
        }

        ValueTask publication = bus.PublishAsync(message);
        if (!publication.IsCompletedSuccessfully)
        {
            throw new Xunit.Sdk.XunitException("PublishAsync did not complete synchronously.");
        }

        publication.GetAwaiter().GetResult();
    }

    /// <summary>Publishes "0".."count-1" (as JSON numbers offset by <paramref name="first"/>).</summary>
    public static void PublishNumbers(this IMessageBus bus, string topic, int count, int first = 0)
    {
        for (int i = first; i < first + count; i++)
        {
            bus.Publish(Data(topic, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Reads until nothing is unread, <paramref name="max"/> messages at a time.</summary>
    public static List<Message> Drain(this IMessageSubscription subscription, int max = 1000)
    {
        var batch = new List<Message>();
        while (subscription.Read(batch, max) > 0)
        {
        }

        return batch;
    }

    public static List<string> DrainTexts(this IMessageSubscription subscription, int max = 1000) =>
        subscription.Drain(max).Select(m => m.Text()).ToList();

    public static List<string> Numbers(int first, int count) =>
        Enumerable.Range(first, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>The key of the current incarnation of a topic, as written in cursors.</summary>
    public static string KeyOf(this InMemoryMessageBus bus, string topic) =>
        bus.GetOrCreateTopic(topic).Key.ToString("X", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A subscription plus its availability signal: counts callbacks and lets a test await the next one.</summary>
internal sealed class TestReader : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private int _notifications;

    public TestReader(IMessageBus bus, IEnumerable<string> topics, string? cursor = null)
    {
        Subscription = bus.Subscribe(topics, cursor, OnMessagesAvailable);
    }

    public TestReader(IMessageBus bus, string topic, string? cursor = null)
        : this(bus, [topic], cursor)
    {
    }

    public IMessageSubscription Subscription { get; }

    public int Notifications => Volatile.Read(ref _notifications);

    public string Cursor => Subscription.Cursor;

    public List<string> DrainTexts(int max = 1000) => Subscription.DrainTexts(max);

    public Task WaitAsync() => _signal.WaitAsync().DefaultTimeout();

    // The semaphore is not disposed: a callback racing with Dispose may still release it.
    public void Dispose() => Subscription.Dispose();

    private void OnMessagesAvailable()
    {
        Interlocked.Increment(ref _notifications);
        _signal.Release();
    }
}
