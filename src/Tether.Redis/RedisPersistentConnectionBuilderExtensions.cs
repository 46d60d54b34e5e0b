using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Redis.Internal;
using Tether.Server;
using Tether.Server.Internal;
using Tether.Server.Diagnostics;
using Tether.Server.Messaging;

namespace Tether.Redis;

/// <summary>Adds the Redis backplane to Tether's persistent connections.</summary>
public static class RedisPersistentConnectionBuilderExtensions
{
    /// <summary>
    /// Scales out over Redis: replaces the in-process message bus with <see cref="RedisMessageBus"/> and, unless turned
    /// off, protects Tether's tokens with a key ring of its own stored in Redis, so every node accepts every node's tokens.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddPersistentConnections</c>.</param>
    /// <param name="configuration">The StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    /// <returns>The builder.</returns>
    public static IPersistentConnectionBuilder AddRedis(this IPersistentConnectionBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        return builder.AddRedis(options => options.Configuration = configuration);
    }

    /// <summary>
    /// Scales out over Redis through a multiplexer the application already has, so it shares one connection with Tether.
    /// Tether uses it and never disposes it; <see cref="RedisBackplaneOptions.Configuration"/> and
    /// <see cref="RedisBackplaneOptions.ConfigureRedis"/> are not used.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddPersistentConnections</c>.</param>
    /// <param name="multiplexer">Gives the application's multiplexer, from its services (called once, on first use).</param>
    /// <param name="configure">Sets the other options (key prefix, database, bounds), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Tether fails publications fast while Redis is unreachable only if the multiplexer's
    /// <see cref="StackExchange.Redis.ConfigurationOptions.BacklogPolicy"/> is <c>FailFast</c>; with the default policy
    /// they wait in StackExchange.Redis's backlog instead. Create it with <c>AbortOnConnectFail = false</c> so the node
    /// starts while Redis is down.
    /// </remarks>
    public static IPersistentConnectionBuilder AddRedis(this IPersistentConnectionBuilder builder, Func<IServiceProvider, StackExchange.Redis.IConnectionMultiplexer> multiplexer, Action<RedisBackplaneOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(multiplexer);
        ExternalMultiplexer.Register(builder.Services, multiplexer);
        return builder.AddRedis(configure ?? (static _ => { }));
    }

    /// <summary>
    /// Scales out over Redis: replaces the in-process message bus with <see cref="RedisMessageBus"/> and, unless turned
    /// off, protects Tether's tokens with a key ring of its own stored in Redis, so every node accepts every node's tokens.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddPersistentConnections</c>.</param>
    /// <param name="configure">Sets the options: the configuration string, key prefix, database and more.</param>
    /// <returns>The builder.</returns>
    public static IPersistentConnectionBuilder AddRedis(this IPersistentConnectionBuilder builder, Action<RedisBackplaneOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        IServiceCollection services = builder.Services;
        services.AddOptions<RedisBackplaneOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisBackplaneOptions>, RedisBackplaneOptionsValidator>());
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton(static sp => new RedisMessageBus(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<IOptions<PersistentConnectionOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILogger<RedisMessageBus>>(),
            sp.GetRequiredService<TetherServerMetrics>()));
        services.Replace(ServiceDescriptor.Singleton<IMessageBus>(static sp => sp.GetRequiredService<RedisMessageBus>()));
        services.AddHostedService(static sp => sp.GetRequiredService<RedisMessageBus>());

        // Tether's tokens: a key ring of Tether's own in Redis, shared by every node; the application's is untouched.
        services.TryAddSingleton<SharedTokenKeyRing>();
        services.AddHostedService<SharedTokenKeyRingWarmup>();
        services.Replace(ServiceDescriptor.Singleton(static sp => new TokenProtection(
            sp.GetRequiredService<IOptions<RedisBackplaneOptions>>().Value.ShareDataProtectionKeys
                ? sp.GetRequiredService<SharedTokenKeyRing>().Provider
                : sp.GetRequiredService<IDataProtectionProvider>())));
        return builder;
    }

    /// <summary>Checks the options when they are first resolved, with messages that name the setting.</summary>
    private sealed class RedisBackplaneOptionsValidator : IValidateOptions<RedisBackplaneOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisBackplaneOptions options)
        {
            List<string> failures = [];
            if (string.IsNullOrWhiteSpace(options.Configuration))
            {
                failures.Add("Configuration must name a Redis server, e.g. \"localhost:6379\".");
            }

            if (string.IsNullOrEmpty(options.Prefix) || options.Prefix.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                failures.Add($"Prefix must be non-empty and without braces (was \"{options.Prefix}\").");
            }

            if (options.ReplayLength < 1)
            {
                failures.Add($"ReplayLength must be at least 1 (was {options.ReplayLength}).");
            }

            if (options.ShareDataProtectionKeys && string.IsNullOrEmpty(options.ApplicationName))
            {
                failures.Add("ApplicationName must be set when ShareDataProtectionKeys is on.");
            }

            if (options.GapFillDelay < TimeSpan.Zero)
            {
                failures.Add($"GapFillDelay must not be negative (was {options.GapFillDelay}).");
            }

            if (options.ReplayMaxBytes < 1)
            {
                failures.Add($"ReplayMaxBytes must be positive (was {options.ReplayMaxBytes}).");
            }

            if (options.ReplayTtl < TimeSpan.FromSeconds(1))
            {
                failures.Add($"ReplayTtl must be at least one second (was {options.ReplayTtl}).");
            }

            if (options.MaxPendingMessages < 2 || options.MaxPendingBytes < 1)
            {
                failures.Add($"MaxPendingMessages must be at least 2 and MaxPendingBytes positive (were {options.MaxPendingMessages} and {options.MaxPendingBytes}).");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
