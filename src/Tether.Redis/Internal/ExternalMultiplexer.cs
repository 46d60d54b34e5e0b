using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Tether.Redis.Internal;

/// <summary>
/// A multiplexer the application owns and shares with Tether (<c>AddRedis(multiplexer)</c> or a factory): Tether uses it
/// and never disposes it.
/// </summary>
/// <param name="create">Gives the multiplexer, from the application's services.</param>
internal sealed class ExternalMultiplexer(Func<IServiceProvider, IConnectionMultiplexer> create)
{
    public IConnectionMultiplexer Resolve(IServiceProvider services) =>
        create(services) ?? throw new InvalidOperationException("The multiplexer factory given to AddRedis returned null.");

    /// <summary>Registers <paramref name="create"/> as the multiplexer of the backplane (the last registration wins).</summary>
    public static void Register(IServiceCollection services, Func<IServiceProvider, IConnectionMultiplexer> create) =>
        services.AddSingleton(new ExternalMultiplexer(create));
}
