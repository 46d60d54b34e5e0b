namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>The counts of one run: the figures, or tiny ones for <c>--smoke</c>.</summary>
internal sealed record AttackScale(
    bool Smoke,
    int BufferedBroadcasts,
    int StalledReconnects,
    int StallBroadcasts,
    TimeSpan? StallWriteTimeout,
    TimeSpan StallGrace,
    int FloodTokens,
    int AbortPairs,
    int RedisMessages)
{
    public const int BroadcastBytes = 100 * 1024;

    public static AttackScale Full { get; } = new(false, 1_000, 10, 150, null, TimeSpan.FromSeconds(20), 150, 2_000, 20);

    /// <summary>One pass of each attack, small counts, a 2 s write timeout and 2 s of grace for the stalled readers, so the whole run takes seconds.</summary>
    public static AttackScale Tiny { get; } = new(true, 30, 3, 60, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), 10, 50, 3);
}
