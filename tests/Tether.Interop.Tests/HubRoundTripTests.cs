using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNet.SignalR.Client;
using Xunit.Abstractions;

namespace Tether.Interop.Tests;

/// <summary>
/// Measures (never asserts on time) the official client's hub echo (<c>Invoke&lt;string&gt;("Echo")</c>) next to its
/// persistent-connection echo, per transport, on the same machine in the same run.
/// </summary>
public sealed class HubRoundTripTests(ITestOutputHelper output)
{
    private const int WarmUp = 20;
    private const int Samples = 200;

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task Measures_hub_echo_next_to_persistent_connection_echo(string transport)
    {
        await using var hubServer = await HubHost.StartAsync([typeof(ChatHub)]);
        using var hub = new HubConnection(hubServer.Url("/signalr"));
        var chat = hub.CreateHubProxy("chat");
        await hub.Start(Transports.Create(transport)).DefaultTimeout();
        string hubLine = await MeasureAsync(async i =>
        {
            string message = "rtt-" + i.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(message, await chat.Invoke<string>("Echo", message).DefaultTimeout());
        });
        hub.Stop();

        await using var server = await TestServer.StartAsync();
        await using var client = await OfficialClient.StartAsync(server.Url("/echo"), transport, output);
        string echoLine = await MeasureAsync(async i =>
        {
            string message = "rtt-" + i.ToString(CultureInfo.InvariantCulture);
            var echoed = client.WaitForMessages(i + 1);
            await client.Send(message).DefaultTimeout();
            await echoed.DefaultTimeout();
            Assert.Equal(message, client.Messages[i]);
        });

        output.WriteLine($"[measure] {transport} hub Invoke<string>(\"Echo\"): {hubLine}");
        output.WriteLine($"[measure] {transport} persistent-connection echo: {echoLine}");
    }

    /// <summary>Runs <paramref name="roundTrip"/> sequentially and describes the timings of the samples after the warm-up.</summary>
    private static async Task<string> MeasureAsync(Func<int, Task> roundTrip)
    {
        var timings = new double[Samples];
        for (int i = 0; i < WarmUp + Samples; i++)
        {
            long started = Stopwatch.GetTimestamp();
            await roundTrip(i);
            if (i >= WarmUp)
            {
                timings[i - WarmUp] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }

        Array.Sort(timings);
        return string.Create(CultureInfo.InvariantCulture, $"median {timings[Samples / 2]:F2} ms, p90 {timings[Samples * 9 / 10]:F2} ms, min {timings[0]:F2} ms, max {timings[^1]:F2} ms ({Samples} sequential after {WarmUp} warm-up)");
    }
}
