using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tether.Redis;
using Tether.Server;
using Tether.Tests.Utils;

// Broadcast throughput of one node (the in-process bus), one node behind Redis, and two nodes behind Redis, in one run.
// Loopback only, bounded in messages, clients and time. Usage:
//   dotnet run -c Release --project benchmarks/Tether.Benchmarks.Redis -- [messages=20000] [clients=20] [payloadBytes=64]
// A message counts as delivered when every client has it; the rate is messages (and deliveries) per second from the
// first publication until the last client has the last message.
int messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
int clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
int payloadBytes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
TimeSpan limit = TimeSpan.FromSeconds(60);

await using var redis = await RedisServerFixture.StartAsync();
Console.WriteLine($"Broadcast: {messages} messages of {payloadBytes} bytes to {clients} WebSocket clients, publisher on node 1, {Environment.ProcessorCount} cores, redis-server on 127.0.0.1:{redis.Port}");

// A warm-up pass of each setup (JIT, connection pools), then the measured passes.
await Measure.RunAsync("warm-up", 0, Math.Min(messages, 2000), clients, payloadBytes, limit, redis);
await Measure.RunAsync("warm-up", 1, Math.Min(messages, 2000), clients, payloadBytes, limit, redis);
await Measure.RunAsync("warm-up", 2, Math.Min(messages, 2000), clients, payloadBytes, limit, redis);
var one = await Measure.RunAsync("1 node, in-process bus", 0, messages, clients, payloadBytes, limit, redis);
var oneRedis = await Measure.RunAsync("1 node, Redis", 1, messages, clients, payloadBytes, limit, redis);
var two = await Measure.RunAsync("2 nodes, Redis", 2, messages, clients, payloadBytes, limit, redis);

Console.WriteLine();
Console.WriteLine($"ratio 2 nodes (Redis) / 1 node (in-process): {two / one:F2}");
Console.WriteLine($"ratio 2 nodes (Redis) / 1 node (Redis):      {two / oneRedis:F2}");
Console.WriteLine($"ratio 1 node (Redis)  / 1 node (in-process): {oneRedis / one:F2}");

internal static class Measure
{
    /// <summary>Runs one setup: 0 = one node on the in-process bus, 1 = one node on Redis, 2 = two nodes on Redis.</summary>
    /// <returns>Messages per second delivered to every client.</returns>
    public static async Task<double> RunAsync(string name, int setup, int messages, int clientCount, int payloadBytes, TimeSpan limit, RedisServerFixture redis)
    {
        string prefix = "bench-" + Guid.NewGuid().ToString("N");
        int nodeCount = setup == 2 ? 2 : 1;
        var nodes = new List<TestServer>();
        for (int i = 0; i < nodeCount; i++)
        {
            nodes.Add(await TestServer.StartAsync(
                o => o.DefaultMessageBufferSize = 1000,
                setup == 0 ? null : s => s.AddPersistentConnections().AddRedis(r =>
                {
                    r.Configuration = redis.Configuration;
                    r.Prefix = prefix;
                })));
        }

        using var cts = new CancellationTokenSource(limit);
        var progress = new Progress(clientCount);
        var readers = new List<(ClientWebSocket Socket, Task Loop)>();
        try
        {
            for (int i = 0; i < clientCount; i++)
            {
                // Clients alternate between the nodes; the publisher is on the first.
                var socket = await ConnectAsync(nodes[i % nodeCount], cts.Token);
                int index = i;
                readers.Add((socket, Task.Run(() => ReadAsync(socket, progress, index, cts.Token))));
            }

            await progress.WaitForInitAsync(cts.Token);
            var broadcast = nodes[0].Services.GetRequiredService<IPersistentConnectionContext<BroadcastConnection>>().Connection;
            string payload = new('x', payloadBytes);
            long commandsBefore = setup == 0 ? 0 : await CommandsProcessedAsync(redis);
            var watch = Stopwatch.StartNew();

            // Pipelined publications, never more than half a topic buffer ahead of the slowest client (so none falls
            // out of the buffer), and at most 64 awaiting Redis at once.
            const int Window = 64;
            const int MaxAhead = 500;
            var inFlight = new Queue<Task>();
            for (int i = 0; i < messages; i++)
            {
                while (i - progress.Slowest >= MaxAhead)
                {
                    await progress.WaitForChangeAsync(cts.Token);
                }

                if (inFlight.Count == Window)
                {
                    await inFlight.Dequeue();
                }

                inFlight.Enqueue(broadcast.Broadcast(payload));
            }

            await Task.WhenAll(inFlight);
            while (progress.Slowest < messages)
            {
                await progress.WaitForChangeAsync(cts.Token);
            }

            double seconds = watch.Elapsed.TotalSeconds;
            double rate = messages / seconds;
            string commands = setup == 0 ? string.Empty : $"  {(await CommandsProcessedAsync(redis) - commandsBefore) / (double)messages:F2} Redis commands/message";
            if (name != "warm-up")
            {
                Console.WriteLine($"{name,-24} {rate,10:F0} messages/s  {rate * clientCount,12:F0} deliveries/s  ({seconds:F2} s){commands}");
            }

            return rate;
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"{name}: stopped after {limit.TotalSeconds} s with the slowest client at {progress.Slowest} of {messages}.");
            return double.NaN;
        }
        finally
        {
            await cts.CancelAsync();
            foreach (var (socket, loop) in readers)
            {
                socket.Abort();
                socket.Dispose();
                try
                {
                    await loop;
                }
                catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
                {
                }
            }

            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>redis-server's count of commands processed (INFO stats; includes this query and the nodes' idle checks).</summary>
    private static async Task<long> CommandsProcessedAsync(RedisServerFixture redis)
    {
        var options = ConfigurationOptions.Parse(redis.Configuration);
        options.AllowAdmin = true;
        await using var monitor = await ConnectionMultiplexer.ConnectAsync(options);
        var stats = await monitor.GetServer(monitor.GetEndPoints()[0]).InfoAsync("stats");
        return long.Parse(stats.SelectMany(g => g).First(p => p.Key == "total_commands_processed").Value, CultureInfo.InvariantCulture);
    }

    private static async Task<ClientWebSocket> ConnectAsync(TestServer node, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        string json = await http.GetStringAsync(node.Url("/broadcast/negotiate?clientProtocol=2.1"), cancellationToken);
        using var negotiation = JsonDocument.Parse(json);
        string token = Uri.EscapeDataString(negotiation.RootElement.GetProperty("ConnectionToken").GetString()!);
        var uri = new UriBuilder(node.Url($"/broadcast/connect?transport=webSockets&clientProtocol=2.1&connectionToken={token}")) { Scheme = "ws" }.Uri;
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, cancellationToken);
        return socket;
    }

    /// <summary>Counts the messages in the persistent responses of one client (the init response has none).</summary>
    private static async Task ReadAsync(ClientWebSocket socket, Progress progress, int index, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1 << 20];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (frame.RootElement.TryGetProperty("S", out _))
            {
                progress.Initialized();
            }

            if (frame.RootElement.TryGetProperty("M", out var array))
            {
                progress.Add(index, array.GetArrayLength());
            }
        }
    }

    /// <summary>How many messages each client has, and a signal when that changes.</summary>
    private sealed class Progress(int clients)
    {
        private readonly long[] _counts = new long[clients];
        private readonly object _lock = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _initialized;

        public long Slowest
        {
            get
            {
                lock (_lock)
                {
                    return _counts.Min();
                }
            }
        }

        public void Initialized()
        {
            if (Interlocked.Increment(ref _initialized) == _counts.Length)
            {
                Signal();
            }
        }

        public Task WaitForInitAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Volatile.Read(ref _initialized) >= _counts.Length ? Task.CompletedTask : _changed.Task.WaitAsync(cancellationToken);
            }
        }

        public void Add(int client, int count)
        {
            lock (_lock)
            {
                _counts[client] += count;
            }

            Signal();
        }

        public Task WaitForChangeAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return _changed.Task.WaitAsync(cancellationToken);
            }
        }

        private void Signal()
        {
            TaskCompletionSource changed;
            lock (_lock)
            {
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }
}
