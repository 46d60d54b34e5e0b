using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Diagnostics;
using Tether.Server.Tests.Conformance;
using Tether.Server.Tests.Hubs;

namespace Tether.Server.Tests.Diagnostics;

/// <summary>Hub calls seen through the <c>Tether.Server</c> activity source and meter, over real <c>/send</c> requests.</summary>
public sealed class HubDiagnosticsTests : IDisposable
{
    private const string Invocations = "tether.server.hub.invocations";
    private const string Duration = "tether.server.hub.invocation.duration";
    private const string Outcome = "tether.outcome";
    private const string Hub = "tether.hub";

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public HubDiagnosticsTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TetherServerDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Each_call_is_one_span_with_hub_method_and_connection_id_and_is_counted_and_timed_as_ok()
    {
        await using var server = await HubTestServer.StartAsync();
        using var metrics = Record(server);
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        const int calls = 5;
        for (int i = 0; i < calls; i++)
        {
            var reply = await client.InvokeAsync(ProtocolClient.LongPolling, $$"""{"I":"{{i}}","H":"chat","M":"Echo","A":["m{{i}}"]}""");
            Assert.Equal($$"""{"R":"m{{i}}","I":"{{i}}"}""", reply.Body);
        }

        // The span stops and the measurements are taken before the reply is written.
        var spans = SpansOf(client.ConnectionId);
        Assert.Equal(calls, spans.Length);
        Assert.All(spans, span =>
        {
            Assert.Equal(ActivityKind.Server, span.Kind);
            Assert.Equal("chat", span.GetTagItem(Hub));
            Assert.Equal("Echo", span.GetTagItem("tether.method"));
            Assert.Equal("ok", span.GetTagItem(Outcome));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
        });
        Assert.Equal(calls, metrics.Sum(Invocations, (Hub, "chat"), (Outcome, "ok")));
        Assert.Equal(calls, metrics.Sum(Invocations));
        var durations = metrics.Of(Duration);
        Assert.Equal(calls, durations.Count(m => m.Has((Hub, "chat"), (Outcome, "ok"))));
        Assert.All(durations, m => Assert.InRange(m.Value, 0, 60));
    }

    [Fact]
    public async Task Failed_calls_are_error_spans_counted_as_hub_error_or_error_under_a_known_hub_name()
    {
        await using var server = await HubTestServer.StartAsync();
        using var metrics = Record(server);
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();

        Assert.Equal(
            """{"I":"0","H":true,"E":"boom","D":{"code":42}}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Fail","A":["boom"]}""")).Body);
        Assert.Equal(
            """{"I":"1","E":"There was an error invoking Hub method 'chat.Crash'."}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Crash","A":[]}""")).Body);
        Assert.Equal(
            """{"I":"2","E":"'ghost' Hub could not be resolved."}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"2","H":"ghost","M":"Echo","A":["x"]}""")).Body);

        var spans = SpansOf(client.ConnectionId);
        Assert.Equal(3, spans.Length);
        AssertFailed(spans[0], "chat", "Fail", "hub_error", "boom");
        AssertFailed(spans[1], "chat", "Crash", "error", "There was an error invoking Hub method 'chat.Crash'.");
        AssertFailed(spans[2], "unknown", "Echo", "error", "'ghost' Hub could not be resolved.");

        Assert.Equal(1, metrics.Sum(Invocations, (Hub, "chat"), (Outcome, "hub_error")));
        Assert.Equal(1, metrics.Sum(Invocations, (Hub, "chat"), (Outcome, "error")));
        Assert.Equal(1, metrics.Sum(Invocations, (Hub, "unknown"), (Outcome, "error")));
        Assert.Equal(0, metrics.Sum(Invocations, (Outcome, "ok")));
        Assert.Equal(3, metrics.Of(Duration).Count);
    }

    private static void AssertFailed(Activity span, string hub, string method, string outcome, string description)
    {
        Assert.Equal(hub, span.GetTagItem(Hub));
        Assert.Equal(method, span.GetTagItem("tether.method"));
        Assert.Equal(outcome, span.GetTagItem(Outcome));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(description, span.StatusDescription);
    }

    /// <summary>Listens to the meter of one server only (tests run in parallel, each server has its own meter).</summary>
    private static MetricRecorder Record(HubHost server)
    {
        var factory = server.Services.GetRequiredService<IMeterFactory>();
        return new MetricRecorder(i => i.Meter.Name == TetherServerDiagnostics.MeterName && ReferenceEquals(i.Meter.Scope, factory));
    }

    /// <summary>The hub invocation spans of one connection, in the order they stopped (other tests' spans are left out).</summary>
    private Activity[] SpansOf(string connectionId) =>
        [.. _stopped.Where(a => a.OperationName == "Tether.HubInvocation" && (string?)a.GetTagItem("tether.connection_id") == connectionId)];
}
