using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using Tether.Redis.Internal;

namespace Tether.Redis.Diagnostics;

/// <summary>
/// Unhealthy when the node is not subscribed to Redis or a <c>PING</c> round trip fails or takes longer than the
/// timeout; Degraded when the round trip takes more than half of it; Healthy otherwise, with the round trip in the data.
/// </summary>
internal sealed class RedisBackplaneHealthCheck(RedisMessageBus bus, RedisConnection connection, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!bus.IsConnected)
        {
            return HealthCheckResult.Unhealthy("The node is not connected to Redis: sends fail (503) until it reconnects, which it does by itself.");
        }

        TimeSpan roundTrip;
        try
        {
            IConnectionMultiplexer multiplexer = await connection.GetAsync().ConfigureAwait(false);
            roundTrip = await multiplexer.GetDatabase(connection.Options.Database).PingAsync().WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Redis did not answer a PING within {timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms ({ex.GetType().Name}: {ex.Message}).", ex);
        }

        var data = new Dictionary<string, object> { ["roundTripMilliseconds"] = roundTrip.TotalMilliseconds, ["appliedId"] = bus.AppliedId };
        string text = string.Create(CultureInfo.InvariantCulture, $"Redis answered a PING in {roundTrip.TotalMilliseconds:0.###} ms");
        return roundTrip > timeout / 2
            ? HealthCheckResult.Degraded(text + string.Create(CultureInfo.InvariantCulture, $", more than half of the {timeout.TotalMilliseconds} ms limit: publications are slow."), data: data)
            : HealthCheckResult.Healthy(text + ".", data);
    }
}
