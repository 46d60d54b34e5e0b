namespace Tether.Tests.Utils.Chaos;

/// <summary>How a received sequence of numbered messages compares with what was sent.</summary>
public readonly record struct SequenceCheck(int Expected, int Received, int Lost, int Duplicated, int OutOfOrder, string LostRanges = "")
{
    /// <summary>
    /// Compares <paramref name="received"/> (in arrival order) with the numbers that had to arrive. Order is checked
    /// among those only: a number that did not have to arrive (a send that failed) may still land late.
    /// </summary>
    public static SequenceCheck Of(IReadOnlyList<int> received, IEnumerable<int> mustArrive)
    {
        var expected = mustArrive.ToHashSet();
        var seen = new HashSet<int>();
        int duplicated = 0;
        int outOfOrder = 0;
        int last = int.MinValue;
        foreach (int n in received)
        {
            if (!seen.Add(n))
            {
                duplicated++;
            }
            else if (expected.Contains(n))
            {
                outOfOrder += n < last ? 1 : 0;
                last = n;
            }
        }

        var lost = expected.Where(n => !seen.Contains(n)).Order().ToList();
        return new SequenceCheck(expected.Count, received.Count, lost.Count, duplicated, outOfOrder, Ranges(lost));
    }

    /// <summary>Adds two checks, for totals over connections.</summary>
    public static SequenceCheck operator +(SequenceCheck a, SequenceCheck b) =>
        new(a.Expected + b.Expected, a.Received + b.Received, a.Lost + b.Lost, a.Duplicated + b.Duplicated, a.OutOfOrder + b.OutOfOrder);

    /// <summary>The first few runs of consecutive numbers, e.g. <c>17-40, 95</c>, to see where a loss happened.</summary>
    private static string Ranges(List<int> sorted)
    {
        List<string> ranges = [];
        for (int i = 0; i < sorted.Count && ranges.Count < 8; i++)
        {
            int start = sorted[i];
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1)
            {
                i++;
            }

            ranges.Add(start == sorted[i] ? $"{start}" : $"{start}-{sorted[i]}");
        }

        return string.Join(", ", ranges);
    }

    /// <summary>Whether nothing was lost, duplicated or reordered.</summary>
    public bool IsExact => Lost == 0 && Duplicated == 0 && OutOfOrder == 0;
}
