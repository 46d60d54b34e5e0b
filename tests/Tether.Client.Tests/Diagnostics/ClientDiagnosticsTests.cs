using System.Diagnostics;
using System.Threading.Channels;
using Tether.Client.Diagnostics;

namespace Tether.Client.Tests.Diagnostics;

/// <summary>The client's meter and activity source are one per process: these tests run alone, after the others.</summary>
[CollectionDefinition(nameof(ClientDiagnosticsCollection), DisableParallelization = true)]
public sealed class ClientDiagnosticsCollection;

/// <summary>The <c>Tether.Client</c> meter and activity source read while a real connection starts, echoes, reconnects and stops.</summary>
[Collection(nameof(ClientDiagnosticsCollection))]
public sealed class ClientDiagnosticsTests : IDisposable
{
    private readonly MetricRecorder _metrics = new(i => i.Meter.Name == TetherClientDiagnostics.MeterName);
    private readonly Channel<Activity> _spans = Channel.CreateUnbounded<Activity>();
    private readonly ActivityListener _listener;

    public ClientDiagnosticsTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TetherClientDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Writer.TryWrite(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _metrics.Dispose();
    }

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task StartEchoThreeAndStop_CountsStatesSendsAndReceives_AndTracesTheStart(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = new Connection(server.Url("/echo"));
        var probe = new Probe(connection);

        await connection.StartAsync(Transports.Create(transport)).DefaultTimeout();
        string connectionId = connection.ConnectionId!;
        for (int i = 0; i < 3; i++)
        {
            await connection.SendAsync("m" + i).DefaultTimeout();
        }

        await probe.UntilMessages(3).DefaultTimeout();
        await connection.StopAsync().DefaultTimeout();
        await _metrics.WaitUntilAsync(m => m.Sum("tether.client.messages.received") == 3, "three messages received");

        Assert.Equal(3, _metrics.Sum("tether.client.messages.sent"));
        Assert.Equal(1, _metrics.Sum("tether.client.state_changes", ("tether.from", "disconnected"), ("tether.to", "connecting")));
        Assert.Equal(1, _metrics.Sum("tether.client.state_changes", ("tether.from", "connecting"), ("tether.to", "connected")));
        Assert.Equal(1, _metrics.Sum("tether.client.state_changes", ("tether.from", "connected"), ("tether.to", "disconnected")));
        Assert.Equal(0, _metrics.Sum("tether.client.reconnects"));

        var start = await NextSpanAsync();
        Assert.Equal("Tether.Client.Start", start.OperationName);
        Assert.Equal(ActivityStatusCode.Ok, start.Status);
        Assert.Equal(connectionId, start.GetTagItem("tether.connection_id"));
        Assert.Equal(transport, start.GetTagItem("tether.transport"));
        Assert.True(start.Duration > TimeSpan.Zero);
    }

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task ACutConnection_CountsAReconnect_AndTracesIt(string transport)
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = FaultProxy.Start(server.BaseUri);
        await using var connection = new Connection(proxy.Url("/echo"));
        var probe = new Probe(connection);
        await connection.StartAsync(Transports.Create(transport)).DefaultTimeout();

        proxy.CutAll();
        await probe.UntilEvent("reconnected").DefaultTimeout();

        Assert.Equal(1, _metrics.Sum("tether.client.reconnects"));
        var reconnectDuration = Assert.Single(_metrics.Of("tether.client.reconnect.duration"));
        Assert.True(reconnectDuration.Has(("tether.outcome", "reconnected")));
        Assert.Equal("Tether.Client.Start", (await NextSpanAsync()).OperationName);
        var reconnect = await NextSpanAsync();
        Assert.Equal("Tether.Client.Reconnect", reconnect.OperationName);
        Assert.Equal(ActivityStatusCode.Ok, reconnect.Status);
        Assert.Equal(connection.ConnectionId, reconnect.GetTagItem("tether.connection_id"));
    }

    [Fact]
    public async Task AStartThatFails_IsAnErrorSpan()
    {
        await using var server = await TestServer.StartAsync();
        await using var connection = new Connection(server.Url("/no-such-endpoint"));

        await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync()).DefaultTimeout();

        var start = await NextSpanAsync();
        Assert.Equal("Tether.Client.Start", start.OperationName);
        Assert.Equal(ActivityStatusCode.Error, start.Status);
        Assert.Equal(1, _metrics.Sum("tether.client.state_changes", ("tether.from", "connecting"), ("tether.to", "disconnected")));
    }

    [Fact]
    public void TheHubClientsInvocationHook_RecordsLatencyByHubMethodAndOutcome()
    {
        long started = Stopwatch.GetTimestamp();

        ClientMetrics.InvocationCompleted("chat", "send", started, succeeded: true);
        ClientMetrics.InvocationCompleted("chat", "send", started, succeeded: false);

        var recorded = _metrics.Of("tether.client.invocation.duration");
        Assert.Equal(2, recorded.Count);
        Assert.All(recorded, m => Assert.True(m.Has(("tether.hub", "chat"), ("tether.method", "send")) && m.Value >= 0));
        Assert.Single(recorded, m => m.Has(("tether.outcome", "failed")));
    }

    private Task<Activity> NextSpanAsync() => _spans.Reader.ReadAsync().AsTask().DefaultTimeout();
}
