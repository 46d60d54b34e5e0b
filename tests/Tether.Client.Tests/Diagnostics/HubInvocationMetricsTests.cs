using Microsoft.Extensions.DependencyInjection;
using Tether.Client.Diagnostics;
using Tether.Client.Transports;

namespace Tether.Client.Tests.Diagnostics;

/// <summary>
/// <c>tether.client.invocation.duration</c> as a real <see cref="HubConnection"/> calls a real hub: one measurement per
/// invocation, by hub, method and outcome, however the invocation ends.
/// </summary>
[Collection(nameof(ClientDiagnosticsCollection))]
public sealed class HubInvocationMetricsTests : IDisposable
{
    private const string Duration = "tether.client.invocation.duration";

    private readonly MetricRecorder _metrics = new(i => i.Meter.Name == TetherClientDiagnostics.MeterName);

    public void Dispose() => _metrics.Dispose();

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task Results_and_errors_are_recorded_with_their_outcome(string transport)
    {
        await using var server = await HubHost.StartAsync([typeof(ChatHub)]);
        await using var connection = new HubConnection(server.BaseUri.ToString());
        IHubProxy chat = connection.CreateHubProxy("chat");
        await connection.StartAsync(Transports.Create(transport)).DefaultTimeout();

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("m" + i, await chat.Invoke<string>("Echo", "m" + i).DefaultTimeout());
        }

        await Assert.ThrowsAsync<HubException>(() => chat.Invoke("Fail", "boom").DefaultTimeout());
        await Assert.ThrowsAsync<InvalidOperationException>(() => chat.Invoke("Crash").DefaultTimeout());
        await connection.StopAsync().DefaultTimeout();

        var recorded = _metrics.Of(Duration);
        Assert.Equal(5, recorded.Count);
        Assert.All(recorded, m => Assert.InRange(m.Value, 0, 60));
        Assert.Equal(3, recorded.Count(m => m.Has(("tether.hub", "chat"), ("tether.method", "Echo"), ("tether.outcome", "ok"))));
        Assert.Single(recorded, m => m.Has(("tether.method", "Fail"), ("tether.outcome", "failed")));
        Assert.Single(recorded, m => m.Has(("tether.method", "Crash"), ("tether.outcome", "failed")));
    }

    [Fact]
    public async Task Cancelled_invocations_and_invocations_failed_by_a_stop_are_recorded_as_failed()
    {
        await using var server = await HubHost.StartAsync([typeof(ChatHub)]);
        var gate = server.Services.GetRequiredService<ProgressGate>();
        await using var connection = new HubConnection(server.BaseUri.ToString());
        IHubProxy chat = connection.CreateHubProxy("chat");
        await connection.StartAsync(new WebSocketTransport()).DefaultTimeout();

        // CountTo(0) answers only once the gate opens: both invocations stay pending until they end on the client.
        using var cancel = new CancellationTokenSource();
        Task<int> cancelled = chat.InvokeAsync<int>("CountTo", cancel.Token, 0);
        Task<int> stopped = chat.Invoke<int>("CountTo", 0);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.DefaultTimeout());
        Assert.Single(_metrics.Of(Duration), m => m.Has(("tether.method", "CountTo"), ("tether.outcome", "failed")));

        await connection.StopAsync().DefaultTimeout();
        await Assert.ThrowsAsync<InvalidOperationException>(() => stopped.DefaultTimeout());
        gate.Opened.TrySetResult();

        var recorded = _metrics.Of(Duration);
        Assert.Equal(2, recorded.Count);
        Assert.All(recorded, m => Assert.True(m.Has(("tether.hub", "chat"), ("tether.method", "CountTo"), ("tether.outcome", "failed"))));
    }
}
