using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Tether.Interop.Tests;

/// <summary>Measures (never asserts) the echo round-trip time of one official client per transport.</summary>
public sealed class RoundTripTests(ITestOutputHelper output)
{
    private const int WarmUp = 20;
    private const int Samples = 200;

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task MeasuresEchoRoundTrip(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OfficialClient.StartAsync(server.Url("/echo"), transport, output);

        List<double> samples = [];
        var total = Stopwatch.StartNew();
        for (int i = 0; i < WarmUp + Samples; i++)
        {
            string message = "rtt-" + i.ToString(CultureInfo.InvariantCulture);
            var echoed = client.WaitForMessages(i + 1);
            var watch = Stopwatch.StartNew();
            await client.Send(message).DefaultTimeout();
            await echoed.DefaultTimeout();
            watch.Stop();
            Assert.Equal(message, client.Messages[i]);
            if (i >= WarmUp)
            {
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        total.Stop();
        client.AssertNoTrouble();
        samples.Sort();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[measure] echo round trip {transport} ({Samples} sequential, after {WarmUp} warm-up): median {Percentile(samples, 0.5):F2} ms, p90 {Percentile(samples, 0.9):F2} ms, min {samples[0]:F2} ms, max {samples[^1]:F2} ms, mean {samples.Average():F2} ms; {WarmUp + Samples} round trips in {total.Elapsed.TotalMilliseconds:F0} ms"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}
