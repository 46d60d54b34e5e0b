using Microsoft.Extensions.Time.Testing;

namespace Tether.Client.Tests;

/// <summary>
/// The heartbeat monitor on a fake clock (docs/protocol.md#heartbeat-reconnect-and-give-up), against a real server whose 20 s keep-alive timeout is
/// never reached in real time: ConnectionSlow at two thirds, reconnect at the timeout, and the reconnect-window rule.
/// </summary>
public sealed class HeartbeatTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ConnectionSlowAtTwoThirds_ThenReconnectAtTheTimeout()
    {
        var clock = new FakeTimeProvider();
        await using var connection = new Connection(_server.Url("/echo")) { TimeProvider = clock };
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        KeepAliveData keepAlive = connection.KeepAliveData!;
        Assert.Equal(TimeSpan.FromSeconds(20), keepAlive.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(40.0 / 3), keepAlive.TimeoutWarning);
        Assert.Equal(TimeSpan.FromTicks((keepAlive.Timeout - keepAlive.TimeoutWarning).Ticks / 3), keepAlive.CheckInterval);
        Assert.Same(clock, connection.TimeProvider);

        // Just before two thirds: nothing; just past: ConnectionSlow, once.
        clock.Advance(keepAlive.TimeoutWarning - keepAlive.CheckInterval);
        await connection.SendAsync("marker-1").DefaultTimeout();
        await probe.UntilMessage("marker-1").DefaultTimeout();
        Assert.DoesNotContain("slow", probe.Events);

        // The echo above was the last message: past two thirds of the timeout after it, the connection is slow.
        clock.Advance(keepAlive.TimeoutWarning + keepAlive.CheckInterval);
        await probe.UntilEvent("slow").DefaultTimeout();
        Assert.Equal(ConnectionState.Connected, connection.State);

        clock.Advance(keepAlive.Timeout - keepAlive.TimeoutWarning);
        await probe.UntilEvent("reconnected").DefaultTimeout();
        Assert.Equal(1, probe.Count("slow"));
        var events = probe.Events.ToList();
        Assert.True(events.IndexOf("slow") < events.IndexOf("reconnecting"));
        Assert.True(events.IndexOf("reconnecting") < events.IndexOf("reconnected"));
        await connection.SendAsync("after").DefaultTimeout();
        await probe.UntilMessage("after").DefaultTimeout();
    }

    [Fact]
    public async Task InactiveLongerThanTheReconnectWindow_StopsWithTimeoutException()
    {
        var clock = new FakeTimeProvider();
        var connection = new Connection(_server.Url("/echo")) { TimeProvider = clock };
        var probe = new Probe(connection);
        TimeoutException? error = null;
        connection.Error += e => error ??= e as TimeoutException;
        await connection.Start(Transports.Create(Transports.LongPolling)).DefaultTimeout();

        // As if the machine slept: the clock jumps past DisconnectTimeout + KeepAliveTimeout (50 s) at once.
        clock.Advance(TimeSpan.FromSeconds(51));
        await probe.UntilEvent("closed").DefaultTimeout();
        Assert.NotNull(error);
        Assert.Contains("exceeded the inactivity timeout of 00:00:50", error!.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public void KeepAliveData_AllThresholdsCanBeGiven()
    {
        var data = new KeepAliveData(TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1));
        Assert.Equal((TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1)), (data.Timeout, data.TimeoutWarning, data.CheckInterval));
        Assert.Equal("Connected -> Reconnecting", new StateChange(ConnectionState.Connected, ConnectionState.Reconnecting).ToString());
        var context = new RetryContext(2, TimeSpan.FromSeconds(3), new TimeoutException());
        Assert.Equal((2L, TimeSpan.FromSeconds(3)), (context.PreviousRetryCount, context.ElapsedTime));
        Assert.Equal("m", new HttpClientException("m").Message);
        Assert.Equal("m", new HttpClientException("m", new InvalidOperationException()).Message);
        Assert.Null(new HttpClientException().Response);
        Assert.Equal("s", new Infrastructure.StartException("s", null).Message);
        Assert.NotNull(new Infrastructure.StartException().Message);
        Assert.Equal("d", new Infrastructure.SlowCallbackException("d", new InvalidOperationException()).Message);
        Assert.NotNull(new Infrastructure.SlowCallbackException().Message);
    }
}
