using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tether.Shared;

/// <summary>
/// Hub invoke round trips (<c>Add(i, 1)</c>, one after the other) of Tether.Client and of the official client, over each
/// transport, against one server: a measurement printed as a table, never an assertion on time (only the results are
/// checked). Each run is bounded in count and in time.
/// </summary>
public static class HubRoundTrips
{
    private const int WarmUp = 10;
    private const int Count = 300;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private static readonly string[] Transports = [ClientUnderTest.WebSockets, ClientUnderTest.ServerSentEvents, ClientUnderTest.LongPolling];

    /// <summary>Measures every transport × client; returns the table.</summary>
    public static async Task<string> MeasureAsync(string serverName, string baseUrl)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Hub invoke round trips against {serverName} (sequential Add; ms)");
        table.AppendLine("transport         client          count   mean    p50    p95");
        foreach (string transport in Transports)
        {
            foreach (string kind in ClientUnderTest.Kinds)
            {
                await using var client = HubClientUnderTest.Create(kind, baseUrl);
                await client.StartAsync(transport).DefaultTimeout();
                for (int i = 0; i < WarmUp; i++)
                {
                    Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), await client.InvokeAsync("Add", i, 1).DefaultTimeout());
                }

                var times = new List<double>();
                var budget = Stopwatch.StartNew();
                for (int i = 0; i < Count && budget.Elapsed < Budget; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    string sum = await client.InvokeAsync("Add", i, 1).DefaultTimeout();
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), sum);
                }

                times.Sort();
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"{transport,-17} {kind,-15} {times.Count,5} {times.Average(),6:F2} {times[times.Count / 2],6:F2} {times[(int)(times.Count * 0.95)],6:F2}");
                await client.StopAsync().DefaultTimeout();
            }
        }

        return table.ToString();
    }
}
