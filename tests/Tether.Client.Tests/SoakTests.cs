using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Xunit.Abstractions;

namespace Tether.Client.Tests;

/// <summary>
/// A bounded soak against an in-process Tether.Server: short-lived connections (start, one echo, stop) and long-lived
/// ones echoing steadily, over every transport at once. It prints connections/s, messages/s and the process's memory
/// at start and end, and holds the managed heap after a forced GC within <see cref="BaseHeapGrowth"/> plus
/// <see cref="HeapPerEndedConnection"/> for each short-lived connection of the last topic time to live (the server keeps
/// a small tombstone of each ended connection that long, so a late request cannot revive it), however long it runs.
/// By default a 10-second smoke; <c>TETHER_SOAK_SECONDS</c> runs it longer.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    /// <summary>How much the managed heap may grow over the soak, after a forced full GC at both ends, besides tombstones.</summary>
    private const long BaseHeapGrowth = 8 * 1024 * 1024;

    /// <summary>What one ended connection may still hold until its tombstone is forgotten (measured: about 1.7 KB).</summary>
    private const long HeapPerEndedConnection = 4 * 1024;

    private static readonly string[] TransportNames = [Transports.WebSockets, Transports.ServerSentEvents, Transports.LongPolling];

    [Fact]
    public async Task Churn_and_steady_echo_on_every_transport_keep_memory_bounded()
    {
        var duration = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("TETHER_SOAK_SECONDS"), CultureInfo.InvariantCulture, out int seconds) && seconds > 0 ? seconds : 10);
        // Short timeouts, so the topics of stopped connections expire within the soak (TopicTtl 16 s here, 100 s by
        // default): the heap then levels off instead of growing with the run's length.
        await using var server = await TestServer.StartAsync(ServerExtensions.ShortTimeouts);
        string url = server.Url("/echo");

        // Warm up (JIT, pools, the first topics) before the first sample, so the start is a fair baseline.
        await Task.WhenAll(TransportNames.Select(t => ChurnOnce(url, t)));

        var start = MemorySample.Take();
        var counters = new Counters();
        var watch = Stopwatch.StartNew();
        using (var stop = new CancellationTokenSource(duration))
        {
            var echoes = Enumerable.Range(0, 6).Select(i => EchoLoop(url, TransportNames[i % 3], counters, stop.Token));
            var churns = Enumerable.Range(0, 3).Select(i => ChurnLoop(url, TransportNames[i % 3], counters, stop.Token));
            await Task.WhenAll(echoes.Concat(churns)).DefaultTimeout(duration + TimeSpan.FromSeconds(30));
        }

        double elapsed = watch.Elapsed.TotalSeconds;
        var end = MemorySample.Take();

        // Tombstones live for TopicTtl (16 s with these options): at most the connections of that long are still held.
        var options = new Tether.Server.PersistentConnectionOptions();
        ServerExtensions.ShortTimeouts(options);
        double tombstoneWindow = Math.Min(1, options.TopicTtl.TotalSeconds / elapsed);
        long bound = BaseHeapGrowth + (long)(counters.Connections * tombstoneWindow) * HeapPerEndedConnection;
        output.WriteLine(
            $"soak {elapsed:F1} s: {counters.Connections} short-lived connections ({counters.Connections / elapsed:F0}/s), " +
            $"{counters.Messages} echoed messages ({counters.Messages / elapsed:F0}/s); start {start}; end {end}; " +
            $"heap growth {(end.Heap - start.Heap) / 1024.0 / 1024.0:F1} MB (bound {bound / 1024.0 / 1024.0:F1} MB)");

        Assert.True(counters.Connections > 0 && counters.Messages > 0, "the soak did no work");
        Assert.True(end.Heap - start.Heap < bound, $"the managed heap grew from {start} to {end}");
    }

    private static async Task EchoLoop(string url, string transport, Counters counters, CancellationToken stop)
    {
        await using var connection = new Connection(url);
        var received = Channel.CreateUnbounded<string>();
        connection.Received += m => received.Writer.TryWrite(m);
        await connection.StartAsync(Transports.Create(transport)).DefaultTimeout();
        for (int n = 0; !stop.IsCancellationRequested; n++)
        {
            string data = $"{transport}-{n}";
            await connection.SendAsync(data).DefaultTimeout();
            Assert.Equal(data, await received.Reader.ReadAsync().AsTask().DefaultTimeout());
            counters.Message();
        }

        await connection.StopAsync().DefaultTimeout();
    }

    private static async Task ChurnLoop(string url, string transport, Counters counters, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await ChurnOnce(url, transport);
            counters.Connection();
        }
    }

    /// <summary>One short-lived connection: start, one echo, stop.</summary>
    private static async Task ChurnOnce(string url, string transport)
    {
        await using var connection = new Connection(url);
        var echoed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Received += m => echoed.TrySetResult(m);
        await connection.StartAsync(Transports.Create(transport)).DefaultTimeout();
        await connection.SendAsync("hello").DefaultTimeout();
        Assert.Equal("hello", await echoed.Task.DefaultTimeout());
        await connection.StopAsync().DefaultTimeout();
    }

    private sealed class Counters
    {
        private int _connections;
        private long _messages;

        public int Connections => Volatile.Read(ref _connections);

        public long Messages => Interlocked.Read(ref _messages);

        public void Connection() => Interlocked.Increment(ref _connections);

        public void Message() => Interlocked.Increment(ref _messages);
    }

    /// <summary>The process's working set and managed heap, after a forced, compacting full GC.</summary>
    private readonly record struct MemorySample(long WorkingSet, long Heap)
    {
        public static MemorySample Take()
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            using var process = Process.GetCurrentProcess();
            return new MemorySample(process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
        }

        public override string ToString() => $"working set {WorkingSet / 1024.0 / 1024.0:F1} MB, GC heap {Heap / 1024.0 / 1024.0:F1} MB";
    }
}
