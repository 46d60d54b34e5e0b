namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>
/// Runs an attack several times, each time on a fresh server, and keeps the last result: the first large bodies of the process
/// fill process-wide pools (ArrayPool.Shared's per-thread caches, StackExchange.Redis's buffers) that stay for every later
/// server, so the first pass charges the attack for them. The first pass's growth is kept in the detail.
/// </summary>
internal static class SteadyState
{
    public static async Task<AttackResult> LastOfAsync(int passes, Func<Task<AttackResult>> attack)
    {
        var first = await attack();
        var last = first;
        for (int pass = 1; pass < passes; pass++)
        {
            last = await attack();
        }

        return passes == 1 ? last : last with
        {
            Detail = last.Detail + $"; pass {passes} shown, first pass in this process: heap {Units.SignedMegabytes(first.HeapGrowthBytes)}, WS {Units.SignedMegabytes(first.WorkingSetGrowthBytes)}",
        };
    }
}
