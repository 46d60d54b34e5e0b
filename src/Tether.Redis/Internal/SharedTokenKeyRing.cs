using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Tether.Redis.Internal;

/// <summary>
/// A Data Protection key ring of Tether's own, stored in Redis and shared by every node, that protects only Tether's
/// connection and groups tokens. It lives in a service container of its own, so the application's Data Protection
/// (its key ring, application name and encryptor, and so its cookies and antiforgery tokens) is left as it is.
/// </summary>
/// <remarks>
/// <see cref="RedisBackplaneOptions.ConfigureDataProtection"/> configures it, e.g. to encrypt the keys at rest with
/// <c>ProtectKeysWithCertificate</c>. Its log goes to the application's logging.
/// </remarks>
internal sealed class SharedTokenKeyRing : IDisposable
{
    private readonly ServiceProvider _services;

    public SharedTokenKeyRing(RedisConnection connection, IOptions<RedisBackplaneOptions> options, ILoggerFactory loggerFactory)
    {
        RedisBackplaneOptions redis = options.Value;
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddLogging();
        IDataProtectionBuilder builder = services.AddDataProtection()
            .SetApplicationName(redis.ApplicationName)
            .PersistKeysToStackExchangeRedis(connection.GetDatabase, (RedisKey)KeyOf(redis.Prefix));
        redis.ConfigureDataProtection?.Invoke(builder);
        _services = services.BuildServiceProvider();
        Provider = _services.GetRequiredService<IDataProtectionProvider>();
    }

    /// <summary>The provider of Tether's tokens.</summary>
    public IDataProtectionProvider Provider { get; }

    /// <summary>Data Protection's own start-up work (loading the key ring), which the key ring's container does not run itself.</summary>
    public IEnumerable<IHostedService> HostedServices => _services.GetServices<IHostedService>();

    /// <summary>The Redis list that holds the key ring of the cluster with this key prefix.</summary>
    public static string KeyOf(string prefix) => "{" + prefix + "}:dataprotection-keys";

    public void Dispose() => _services.Dispose();
}
