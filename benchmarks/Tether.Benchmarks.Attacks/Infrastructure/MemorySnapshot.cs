using System.Diagnostics;
using System.Runtime;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>The managed heap after a forced, compacting, aggressive full GC, and the process working set, at one moment.</summary>
internal readonly record struct MemorySnapshot(long HeapBytes, long WorkingSetBytes)
{
    public static MemorySnapshot Take()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();

        // Aggressive: the GC also gives back the memory it no longer needs, so the working set shows what is kept.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return new MemorySnapshot(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }

    /// <summary>This snapshot minus an earlier one.</summary>
    public MemorySnapshot Since(MemorySnapshot baseline) => new(HeapBytes - baseline.HeapBytes, WorkingSetBytes - baseline.WorkingSetBytes);

    /// <summary>e.g. <c>heap +1.1 MB, WS +3.0 MB</c>.</summary>
    public override string ToString() => $"heap {Units.SignedMegabytes(HeapBytes)}, WS {Units.SignedMegabytes(WorkingSetBytes)}";
}

/// <summary>Byte formatting for the table.</summary>
internal static class Units
{
    public static string SignedMegabytes(long bytes) => (bytes >= 0 ? "+" : "-") + Megabytes(Math.Abs(bytes));

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " MB";

    public static string Bytes(long bytes) => bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
