using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Tether.Server;
using Tether.Server.Messaging;

namespace Tether.Benchmarks.Micro;

/// <summary>
/// The in-process bus: publishing to a topic, then every subscriber reading it (fan-out), and the cursor each
/// subscription encodes after a read and decodes when a client comes back with it.
/// </summary>
[MemoryDiagnoser]
public class BusBenchmarks : IDisposable
{
    private readonly List<Message> _batch = new(16);
    private InMemoryMessageBus _bus = null!;
    private IMessageSubscription[] _subscriptions = [];
    private Message _message = null!;
    private string[] _topics = [];
    private string _cursor = string.Empty;

    [Params(1, 100)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bus = new InMemoryMessageBus(Options.Create(new PersistentConnectionOptions()), TimeProvider.System);
        _message = new Message("broadcast", Encoding.UTF8.GetBytes("\"" + new string('x', 30) + "\""));

        // Each subscriber: the shared broadcast topic plus its own connection topic, as a connection has.
        _subscriptions = Enumerable.Range(0, Subscribers)
            .Select(i => _bus.Subscribe(["broadcast", "c-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)], null, () => { }))
            .ToArray();
        _topics = ["broadcast", "c-0", "hg-room-1", "hg-room-2"];
        _cursor = _bus.Subscribe(_topics, null, () => { }).Cursor;
    }

    /// <summary>One publication read by every subscriber.</summary>
    [Benchmark]
    public async Task<int> PublishAndFanOut()
    {
        await _bus.PublishAsync(_message);
        int read = 0;
        foreach (var subscription in _subscriptions)
        {
            _batch.Clear();
            read += subscription.Read(_batch, 100);
        }

        return read;
    }

    /// <summary>The cursor a subscription hands out after a read.</summary>
    [Benchmark]
    public int EncodeCursor() => _subscriptions[0].Cursor.Length;

    /// <summary>A client coming back with a cursor over four topics: it is decoded and each topic looked up.</summary>
    [Benchmark]
    public long SubscribeFromCursor()
    {
        using var subscription = _bus.Subscribe(_topics, _cursor, () => { });
        return subscription.UnreadCount;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _bus?.Dispose();
        GC.SuppressFinalize(this);
    }
}
