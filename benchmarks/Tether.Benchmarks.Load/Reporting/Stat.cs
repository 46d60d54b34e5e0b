namespace Tether.Benchmarks.Load.Reporting;

/// <summary>Median, minimum and maximum of a metric over runs.</summary>
internal sealed record Stat(double Median, double Min, double Max)
{
    public static Stat Of(IEnumerable<double> values)
    {
        double[] sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Stat(double.NaN, double.NaN, double.NaN);
        }

        int middle = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Stat(median, sorted[0], sorted[^1]);
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100) of already sorted samples, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
