using System.Globalization;
using StackExchange.Redis;
using Tether.Benchmarks.Attacks.Infrastructure;
using Tether.Redis;
using Tether.Tests.Utils;

namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>
/// Attack 8, against a real <c>redis-server</c>: 20 broadcasts of 1,000,000 U+0001 characters (6 MB of JSON each) and
/// what Redis keeps of them; then Redis killed, and the statuses of negotiate, send and abort.
/// </summary>
internal static class RedisAttacks
{
    public static async Task<IReadOnlyList<AttackResult>> RunAsync(AttackScale scale)
    {
        await using var redis = await RedisServerFixture.StartAsync();
        string prefix = "attack-" + Guid.NewGuid().ToString("N")[..8];
        int pass = 0;
        var large = await SteadyState.LastOfAsync(scale.Smoke ? 1 : 3, () => LargeMessagesAsync(redis, $"{prefix}-{++pass}", scale));
        return [large, await RedisDownAsync(redis, prefix + "-down", scale)];
    }

    private static async Task<AttackResult> LargeMessagesAsync(RedisServerFixture redis, string prefix, AttackScale scale)
    {
        await using var run = await AttackRun.StartAsync("8a Redis: 6 MB messages", backplane: b => b.AddRedis(r =>
        {
            r.Configuration = redis.Configuration;
            r.Prefix = prefix;
        }));
        var config = ConfigurationOptions.Parse(redis.Configuration);
        config.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(config);
        var server = admin.GetServer(redis.EndPoint);
        var database = admin.GetDatabase();
        long before = await UsedMemoryAsync(server);

        string payload = new('\u0001', 1_000_000);
        for (int i = 0; i < scale.RedisMessages; i++)
        {
            await run.Host.Broadcaster.Broadcast(payload);
        }

        await WhenOutputDrainedAsync(server);
        long after = await UsedMemoryAsync(server);
        RedisKey stream = "{" + prefix + "}:stream";
        long length = await database.StreamLengthAsync(stream);
        var streamBytes = await database.StringGetAsync("{" + prefix + "}:stream-bytes");
        var usage = await database.ExecuteAsync("MEMORY", "USAGE", stream, "SAMPLES", "0");
        string detail = string.Create(
            CultureInfo.InvariantCulture,
            $"{scale.RedisMessages} broadcasts of 6,000,002 B JSON; Redis used_memory {Units.SignedMegabytes(after - before)}; " +
            $"replay stream {length} entries, {Units.Megabytes((long)streamBytes)} payload (stream-bytes; ReplayMaxBytes {Units.Megabytes(new RedisBackplaneOptions().ReplayMaxBytes)}), " +
            $"MEMORY USAGE {Units.Megabytes((long)usage)}; node memory (the node has no connection, so it buffers nothing)");
        run.Tally.Sent(scale.RedisMessages * 6_000_002L);
        return run.Result(run.Growth(), detail);
    }

    private static async Task<AttackResult> RedisDownAsync(RedisServerFixture redis, string prefix, AttackScale scale)
    {
        await using var run = await AttackRun.StartAsync("8b Redis down", backplane: b => b.AddRedis(r =>
        {
            r.Configuration = redis.Configuration;
            r.Prefix = prefix;
        }));
        var client = run.Client;
        var (connection, _) = await client.OpenLongPollingAsync("echo");
        await redis.KillAsync();

        var negotiate = await client.GetAsync("echo/negotiate?clientProtocol=2.1");
        var send = await client.SendAsync(connection, "data=hello"u8.ToArray());
        var abort = await client.AbortAsync(connection, "echo");
        string eventsWhileDown = run.Host.Events.ToString();
        int freshNegotiate = await NegotiateOnFreshNodeAsync(redis, prefix, run.Tally);
        await redis.RestartAsync();
        var retried = await RetryAbortAsync(client, connection, TimeSpan.FromSeconds(scale.Smoke ? 3 : 15));
        string detail = $"negotiate {negotiate.Status} (Retry-After {negotiate.RetryAfter ?? "none"}), send {send.Status} (Retry-After {send.RetryAfter ?? "none"}), " +
            $"abort {abort.Status} (Retry-After {abort.RetryAfter ?? "none"}); events after the abort [{eventsWhileDown}]; " +
            $"negotiate on a node started while Redis is down (key ring not loaded): {freshNegotiate}; " +
            $"Redis restarted, abort retried: {retried.Status} [{run.Host.Events}]";
        return run.Result(run.Growth(), detail);
    }

    /// <summary>Starts a second node of the cluster while Redis is down and negotiates on it once.</summary>
    private static async Task<int> NegotiateOnFreshNodeAsync(RedisServerFixture redis, string prefix, Tally tally)
    {
        await using var node = await AttackHost.StartAsync(backplane: b => b.AddRedis(r =>
        {
            r.Configuration = redis.Configuration;
            r.Prefix = prefix;
        })).WaitAsync(TimeSpan.FromSeconds(20));
        using var client = new ProtocolClient(node.BaseUri, tally);
        return (await client.GetAsync("echo/negotiate?clientProtocol=2.1")).Status;
    }

    /// <summary>Retries the abort until the node has reconnected to the restarted Redis (503 while it has not), up to a limit.</summary>
    private static async Task<HttpAnswer> RetryAbortAsync(ProtocolClient client, Negotiation connection, TimeSpan limitAfter)
    {
        using var limit = new CancellationTokenSource(limitAfter);
        while (true)
        {
            var answer = await client.AbortAsync(connection, "echo");
            if (answer.Status != 503 || limit.IsCancellationRequested)
            {
                return answer;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>
    /// Waits (at most 10 s) until Redis has no output left for any client (CLIENT LIST omem=0): the pub/sub copies of the
    /// messages have gone to the node, so neither Redis's output buffers nor a backlog in transit are counted.
    /// </summary>
    private static async Task WhenOutputDrainedAsync(IServer server)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!limit.IsCancellationRequested && (await server.ClientListAsync()).Any(c => c.Raw is { } raw && raw.Contains(" omem=", StringComparison.Ordinal) && !raw.Contains(" omem=0 ", StringComparison.Ordinal)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        string value = info.SelectMany(g => g).First(p => p.Key == "used_memory").Value;
        return long.Parse(value, CultureInfo.InvariantCulture);
    }
}
