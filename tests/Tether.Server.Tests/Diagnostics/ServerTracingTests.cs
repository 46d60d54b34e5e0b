using System.Diagnostics;
using System.Threading.Channels;
using Tether.Server.Diagnostics;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Diagnostics;

/// <summary>The <c>Tether.Server</c> activity source read with an <see cref="ActivityListener"/>.</summary>
public sealed class ServerTracingTests
{
    [Theory]
    [InlineData(ProtocolClient.LongPolling)]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task NegotiateConnectAndReconnect_AreSpans_WithTheConnectionId(string transport)
    {
        var stopped = Channel.CreateUnbounded<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TetherServerDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => stopped.Writer.TryWrite(a),
        };
        ActivitySource.AddActivityListener(listener);

        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server, "/events");
        await using (await ServerMetricsTests.ConnectAsync(client, transport))
        {
            var reconnect = transport == ProtocolClient.LongPolling ? client.BeginLongPoll("reconnect", client.MessageId) : null;
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.AbortAsync(transport)).Status);
            if (reconnect is not null)
            {
                await reconnect.CompleteAsync();
                reconnect.Dispose();
            }
        }

        await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();
        string[] expected = transport == ProtocolClient.LongPolling
            ? ["Tether.Negotiate", "Tether.Connect", "Tether.Reconnect"]
            : ["Tether.Negotiate", "Tether.Connect"];
        var seen = new List<Activity>();
        foreach (string name in expected)
        {
            var span = await WaitForSpanAsync(stopped.Reader, seen, name, client.ConnectionId).DefaultTimeout();
            Assert.Equal(ActivityKind.Server, span.Kind);
            Assert.Equal(typeof(EventsConnection).FullName, span.GetTagItem("tether.connection_type"));
            if (name != "Tether.Negotiate")
            {
                Assert.Equal(transport, span.GetTagItem("tether.transport"));
            }
        }
    }

    /// <summary>
    /// The one stopped span of a name and connection (a streaming request's span stops when its response ends, after the
    /// client may have seen it); spans of other tests running in parallel are skipped.
    /// </summary>
    private static async Task<Activity> WaitForSpanAsync(ChannelReader<Activity> stopped, List<Activity> seen, string name, string connectionId)
    {
        bool Matches(Activity a) => a.OperationName == name && (string?)a.GetTagItem("tether.connection_id") == connectionId;
        while (!seen.Any(Matches))
        {
            seen.Add(await stopped.ReadAsync());
        }

        while (stopped.TryRead(out var more))
        {
            seen.Add(more);
        }

        return Assert.Single(seen, Matches);
    }
}
