using System.Diagnostics;

namespace Tether.Benchmarks.Load.Server;

/// <summary>One sample of a server process's counters, taken in that process.</summary>
/// <param name="CpuMilliseconds">Process CPU time (user and kernel) so far.</param>
/// <param name="AllocatedBytes">Bytes allocated on the managed heap so far (precise).</param>
/// <param name="WorkingSetBytes">Resident set size.</param>
/// <param name="HeapBytes">Managed heap size after the last collection.</param>
/// <param name="CommittedBytes">Memory committed by the GC.</param>
internal sealed record ServerStats(double CpuMilliseconds, long AllocatedBytes, long WorkingSetBytes, long HeapBytes, long CommittedBytes)
{
    /// <summary>Samples this process; <paramref name="collect"/> runs a full blocking collection first (memory figures).</summary>
    public static ServerStats Sample(bool collect)
    {
        if (collect)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        using var process = Process.GetCurrentProcess();
        var info = GC.GetGCMemoryInfo();
        return new ServerStats(
            process.TotalProcessorTime.TotalMilliseconds,
            GC.GetTotalAllocatedBytes(precise: true),
            process.WorkingSet64,
            info.HeapSizeBytes,
            info.TotalCommittedBytes);
    }
}
