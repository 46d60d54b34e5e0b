using System.Globalization;
using System.Text;
using Tether.Benchmarks.Attacks.Infrastructure;
using Tether.Server;

namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>
/// Attack 3: 150 freshly negotiated <c>/echo</c> tokens each POST one 1 MB <c>/send</c> of <c>data=%01%01…</c> without
/// ever connecting (the echo goes to a connection topic nobody reads; JSON makes each byte 6). With a second, shortened
/// configuration the memory is measured again after the topic TTL.
/// </summary>
internal static class SendFloodAttack
{
    /// <summary>The second run's options: DisconnectTimeout 3 s and KeepAlive 1 s, so the topic TTL is 10 s (default 100 s).</summary>
    private static readonly Action<PersistentConnectionOptions> ShortTtl = o =>
    {
        o.DisconnectTimeout = TimeSpan.FromSeconds(3);
        o.KeepAlive = TimeSpan.FromSeconds(1);
    };

    public static Task<AttackResult> RunAsync(AttackScale scale) =>
        FloodAsync("3 send flood, never connected", null, scale, afterTtl: false);

    public static Task<AttackResult> RunAfterTtlAsync(AttackScale scale) =>
        FloodAsync("3b send flood, after topic TTL", ShortTtl, scale, afterTtl: true);

    /// <summary><c>data=</c> and as many <c>%01</c> as fit in 1 MB (the default whole-body limit).</summary>
    private static byte[] Form()
    {
        const int Limit = 1024 * 1024;
        var text = new StringBuilder("data=", Limit);
        while (text.Length + 3 <= Limit)
        {
            text.Append("%01");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static async Task<AttackResult> FloodAsync(string name, Action<PersistentConnectionOptions>? configure, AttackScale scale, bool afterTtl)
    {
        byte[] form = Form();
        await using var run = await AttackRun.StartAsync(name, configure);
        int next = -1;
        var workers = Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < scale.FloodTokens)
            {
                var connection = await run.Client.NegotiateAsync("echo");
                await run.Client.SendAsync(connection, form);
            }
        });
        await Task.WhenAll(workers);
        var growth = run.Growth();
        string detail = string.Create(CultureInfo.InvariantCulture, $"{scale.FloodTokens} tokens × {Units.Bytes(form.Length)} B form; memory right after the sends");
        if (afterTtl)
        {
            var options = new PersistentConnectionOptions();
            configure!(options);
            var wait = options.TopicTtl + (2 * options.HeartbeatInterval);
            detail += $": {growth}; after TTL {options.TopicTtl.TotalSeconds:F0} s (+2 heartbeats, options DisconnectTimeout 3 s, KeepAlive 1 s)";
            await Task.Delay(wait);
            growth = run.Growth();
        }

        return run.Result(growth, detail);
    }
}
