using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tether.Redis.Diagnostics;
using Tether.Server.Diagnostics;

namespace Tether.Redis.Tests.Diagnostics;

/// <summary>The backplane's health check and metrics against a real redis-server that is killed and restarted.</summary>
public sealed class RedisDiagnosticsTests
{
    [Fact]
    public async Task TheBackplaneCheck_IsHealthyWithRedis_AndUnhealthyWithAReasonWithoutIt()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await using var cluster = await Cluster.StartAsync(redis, 1, configureServices: s => s.AddHealthChecks().AddTetherRedisBackplane());
        var health = cluster[0].Services.GetRequiredService<HealthCheckService>();
        await cluster.Bus(0).WhenReady.DefaultTimeout();

        var up = (await health.CheckHealthAsync().DefaultTimeout()).Entries[RedisHealthChecksBuilderExtensions.RedisBackplaneCheckName];
        await redis.KillAsync();
        var down = (await health.CheckHealthAsync().DefaultTimeout()).Entries[RedisHealthChecksBuilderExtensions.RedisBackplaneCheckName];

        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.True(up.Data.ContainsKey("roundTripMilliseconds"));
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.False(string.IsNullOrEmpty(down.Description));
    }

    [Fact]
    public async Task Publications_AreTimedAndCounted_AndFailuresCountedWhileRedisIsDown()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await using var cluster = await Cluster.StartAsync(redis, 1);
        var factory = cluster[0].Services.GetRequiredService<IMeterFactory>();
        using var metrics = new MetricRecorder(i => i.Meter.Name == TetherServerDiagnostics.MeterName && ReferenceEquals(i.Meter.Scope, factory));
        await cluster.Bus(0).WhenReady.DefaultTimeout();
        var context = cluster.Context<EchoConnection>(0);

        for (int i = 0; i < 3; i++)
        {
            await context.Connection.Broadcast("m" + i).DefaultTimeout();
        }

        await redis.KillAsync();
        await Assert.ThrowsAsync<RedisBackplaneException>(() => context.Connection.Broadcast("lost").DefaultTimeout());

        Assert.Equal(3, metrics.Sum("tether.server.backplane.published", ("tether.outcome", "ok")));
        Assert.Equal(1, metrics.Sum("tether.server.backplane.published", ("tether.outcome", "failed")));
        var durations = metrics.Of("tether.server.backplane.publish.duration");
        Assert.Equal(3, durations.Count);
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 30));
    }
}
