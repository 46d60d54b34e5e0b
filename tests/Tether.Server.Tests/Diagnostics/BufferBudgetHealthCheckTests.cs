using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tether.Server.Diagnostics;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Diagnostics;

/// <summary>The buffer budget health check against a real server whose buffers fill.</summary>
public sealed class BufferBudgetHealthCheckTests
{
    [Fact]
    public async Task Buffers_AboveTheRatioOfTheBudget_AreDegraded_AndBelowItHealthy()
    {
        await using var server = await TestServer.StartAsync(
            o => o.MaxBufferedBytes = o.MaxTopicBufferBytes = 2000,
            s => s.AddHealthChecks().AddTetherBufferBudget(degradedRatio: 0.5));
        var health = server.Services.GetRequiredService<HealthCheckService>();
        using var client = new ProtocolClient(server, "/echo");
        await client.ConnectLongPollingAsync();

        var before = await health.CheckHealthAsync().DefaultTimeout();
        var context = server.Services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>();
        await context.Connection.Broadcast(new string('x', 1200)).DefaultTimeout();
        var after = await health.CheckHealthAsync().DefaultTimeout();

        Assert.Equal(HealthStatus.Healthy, before.Entries[PersistentConnectionHealthChecksBuilderExtensions.BufferBudgetCheckName].Status);
        var entry = after.Entries[PersistentConnectionHealthChecksBuilderExtensions.BufferBudgetCheckName];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("MaxBufferedBytes", entry.Description, StringComparison.Ordinal);
        Assert.Equal(2000L, entry.Data["maxBufferedBytes"]);
        Assert.True((long)entry.Data["bufferedBytes"] >= 1202);
    }

    [Fact]
    public void ARatioOutsideZeroToOne_IsRefused()
    {
        var builder = new ServiceCollection().AddHealthChecks();
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddTetherBufferBudget(degradedRatio: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddTetherBufferBudget(degradedRatio: 1.5));
    }
}
