namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>
/// Runs an attack twice, each time on a fresh server, and keeps the second result: the first large bodies of the process
/// fill process-wide pools (ArrayPool.Shared's per-thread caches, StackExchange.Redis's buffers) that stay for every later
/// server, so the first pass charges the attack for them. The first pass's growth is kept in the detail.
/// </summary>
internal static class SteadyState
{
    public static async Task<AttackResult> SecondOfTwoAsync(Func<Task<AttackResult>> attack)
    {
        var first = await attack();
        var second = await attack();
        return second with
        {
            Detail = second.Detail + $"; first pass in this process: heap {Units.SignedMegabytes(first.HeapGrowthBytes)}, WS {Units.SignedMegabytes(first.WorkingSetGrowthBytes)}",
        };
    }
}
