using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tether.Shared;
using Xunit.Abstractions;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// Echo throughput of Tether.Client and of the official client 2.4.2, over each transport, against Tether.Server and
/// against the classic server (Mono), in one run, printed as a table with ratios. A measurement, never an assertion on
/// time: the test only checks that every echo came back. The numbers depend on the machine and its load (CI shares
/// two cores between test projects), so compare ratios within one run rather than absolute numbers across runs.
/// </summary>
/// <remarks>
/// A quirk of the classic test host, not of SignalR nor of either client: Mono's HttpListener does not set TCP_NODELAY,
/// and it writes a complete response (headers, then body) in more than one segment, so on a kept-alive connection the
/// second segment waits for the client's delayed ACK (~40 ms on Linux). Every request/response on a reused connection
/// takes ~44 ms (a GET of /negotiate too); the streaming transports are not affected (WebSocket frames and SSE events
/// go out one write each), nor are pipelined long polls (one response carries many messages). Both clients see the
/// same: it caps sequential long polling on the classic server at ~23 echoes/s.
/// </remarks>
public sealed class ThroughputTests(ClassicServerFixture fixture, ITestOutputHelper output) : IClassFixture<ClassicServerFixture>
{
    /// <summary>Echoes per measurement.</summary>
    private const int Count = 1000;

    /// <summary>Echoes before the measurements of each connection (JIT, connection pools, server warm-up).</summary>
    private const int WarmUp = 20;

    /// <summary>
    /// The sequential run ends after <see cref="Count"/> echoes or this long, whichever comes first (the table says how
    /// many were measured): the classic host answers a long poll only after the client's delayed ACK (see the class
    /// remarks), ~44 ms per round trip, which would make 1000 sequential long-polling echoes take 45 s per client.
    /// </summary>
    private static readonly TimeSpan SequentialBudget = TimeSpan.FromSeconds(3);

    /// <summary>Sends in flight at most in the pipelined variant.</summary>
    private const int Window = 32;

    private static readonly string[] TransportNames = [ClientUnderTest.WebSockets, ClientUnderTest.ServerSentEvents, ClientUnderTest.LongPolling];

    /// <summary>
    /// For each server × transport × client: <b>sequential</b>, send one message and wait for its echo before the next
    /// (round-trip bound); <b>pipelined</b>, keep up to <see cref="Window"/> sends in flight without waiting for echoes,
    /// then wait for all of them. Tether.Client sends one message at a time in call order whatever the window (so its
    /// HTTP transports post one <c>/send</c> after another), the official client posts the window's sends concurrently
    /// over the HTTP transports (and in no guaranteed order).
    /// </summary>
    [Fact]
    public async Task EchoThroughput_BothClients_EachTransport_BothServers()
    {
        await using var tetherServer = await TestServer.StartAsync();
        (string Name, Func<string, string> Url)[] servers =
        [
            ("Tether.Server", tetherServer.Url),
            ("classic 2.4.1 (Mono)", fixture.Server.Url),
        ];

        var results = new List<Row>();
        var total = Stopwatch.StartNew();
        foreach (var (serverName, url) in servers)
        {
            foreach (string transport in TransportNames)
            {
                var row = new Row(serverName, transport);
                foreach (string kind in ClientUnderTest.Kinds)
                {
                    var (sequential, pipelined) = await Measure(kind, url("/echo"), transport);
                    row.Set(kind, sequential, pipelined);
                }

                results.Add(row);
            }
        }

        output.WriteLine(Format(results, total.Elapsed));
    }

    private static async Task<(Rate Sequential, Rate Pipelined)> Measure(string kind, string url, string transport)
    {
        await using var client = ClientUnderTest.Create(kind, url);
        await client.StartAsync(transport).DefaultTimeout();
        int received = 0;

        // Warm-up, then the sequential run: one echo at a time.
        TimeSpan sequential = TimeSpan.Zero;
        int sequentialCount = 0;
        for (int i = 0; i < WarmUp + Count && sequential < SequentialBudget; i++)
        {
            var watch = Stopwatch.StartNew();
            Task echoed = client.Log.UntilMessages(++received);
            await client.SendAsync("s" + i.ToString(CultureInfo.InvariantCulture)).DefaultTimeout();
            await echoed.DefaultTimeout();
            if (i >= WarmUp)
            {
                sequential += watch.Elapsed;
                sequentialCount++;
            }
        }

        // Pipelined: up to Window sends in flight, echoes awaited at the end.
        var pipelined = Stopwatch.StartNew();
        Task all = client.Log.UntilMessages(received + Count);
        var inFlight = new Queue<Task>();
        for (int i = 0; i < Count; i++)
        {
            if (inFlight.Count >= Window)
            {
                await inFlight.Dequeue().DefaultTimeout();
            }

            inFlight.Enqueue(client.SendAsync("p" + i.ToString(CultureInfo.InvariantCulture)));
        }

        await Task.WhenAll(inFlight).DefaultTimeout();
        await all.DefaultTimeout();
        pipelined.Stop();
        received += Count;

        // Every echo came back, once: the sequential ones in order, the pipelined ones as a set (the official client's
        // concurrent HTTP sends may overtake one another).
        var messages = client.Log.Messages;
        Assert.Equal(received, messages.Count);
        int sequentialTotal = WarmUp + sequentialCount;
        Assert.Equal(Enumerable.Range(0, sequentialTotal).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture)), messages.Take(sequentialTotal));
        Assert.Equal(
            Enumerable.Range(0, Count).Select(i => "p" + i.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal),
            messages.Skip(sequentialTotal).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(client.Log.Events, e => e == "reconnecting" || e.StartsWith("error:", StringComparison.Ordinal));

        // How many pipelined echoes arrived out of send order (positions that differ from it).
        int reordered = messages.Skip(sequentialTotal).Where((m, i) => m != "p" + i.ToString(CultureInfo.InvariantCulture)).Count();
        return (new Rate(sequentialCount, sequential), new Rate(Count, pipelined.Elapsed, reordered));
    }

    private static string Format(List<Row> rows, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Echo throughput, messages/s: sequential = {Count} one-at-a-time echoes (or as many as fit in {SequentialBudget.TotalSeconds:F0} s, count in brackets), after {WarmUp} warm-up; pipelined = {Count} echoes with at most {Window} sends in flight (echoes that came back out of send order in parentheses); ratio = Tether.Client / official");
        sb.AppendLine("| server | transport | sequential Tether.Client | sequential official | ratio | pipelined Tether.Client | pipelined official | ratio |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Server} | {r.Transport} | {r.TetherSequential} | {r.OfficialSequential} | {r.TetherSequential.PerSecond / r.OfficialSequential.PerSecond:F2} | {r.TetherPipelined} | {r.OfficialPipelined} | {r.TetherPipelined.PerSecond / r.OfficialPipelined.PerSecond:F2} |"));
        }

        sb.Append(CultureInfo.InvariantCulture, $"(measured in one run, {elapsed.TotalSeconds:F1} s in all)");
        return sb.ToString();
    }

    /// <summary>How many echoes in how long.</summary>
    private readonly record struct Rate(int Count, TimeSpan Elapsed, int Reordered = 0)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;

        public override string ToString() =>
            PerSecond.ToString("F0", CultureInfo.InvariantCulture) +
            (Count == ThroughputTests.Count ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" [{Count}]")) +
            (Reordered == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ({Reordered} out of order)"));
    }

    private sealed class Row(string server, string transport)
    {
        public string Server => server;

        public string Transport => transport;

        public Rate TetherSequential { get; private set; }

        public Rate OfficialSequential { get; private set; }

        public Rate TetherPipelined { get; private set; }

        public Rate OfficialPipelined { get; private set; }

        public void Set(string kind, Rate sequential, Rate pipelined)
        {
            if (kind == ClientUnderTest.TetherKind)
            {
                (TetherSequential, TetherPipelined) = (sequential, pipelined);
            }
            else
            {
                (OfficialSequential, OfficialPipelined) = (sequential, pipelined);
            }
        }
    }
}
