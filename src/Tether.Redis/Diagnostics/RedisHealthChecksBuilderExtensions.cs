using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tether.Redis.Internal;

namespace Tether.Redis.Diagnostics;

/// <summary>Adds the Redis backplane's health check to ASP.NET Core health checks (<c>services.AddHealthChecks()</c>).</summary>
public static class RedisHealthChecksBuilderExtensions
{
    /// <summary>The default name of the Redis backplane check.</summary>
    public const string RedisBackplaneCheckName = "tether-redis";

    /// <summary>
    /// Checks the Redis backplane added with <c>AddRedis</c>: Unhealthy when the node is not subscribed to Redis or a
    /// <c>PING</c> fails or takes longer than <paramref name="timeout"/>, Degraded when it takes more than half of it.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="timeout">The longest acceptable round trip; default 2 s.</param>
    /// <param name="name">The check's name; default <see cref="RedisBackplaneCheckName"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddTetherRedisBackplane(this IHealthChecksBuilder builder, TimeSpan? timeout = null, string name = RedisBackplaneCheckName, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new RedisBackplaneHealthCheck(sp.GetRequiredService<RedisMessageBus>(), sp.GetRequiredService<RedisConnection>(), limit),
            HealthStatus.Unhealthy,
            tags));
    }
}
