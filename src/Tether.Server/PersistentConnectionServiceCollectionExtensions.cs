using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tether.Server.Diagnostics;
using Tether.Server.Internal;
using Tether.Server.Messaging;

namespace Tether.Server;

/// <summary>Registers Tether's persistent-connection services.</summary>
public static class PersistentConnectionServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services persistent connections need: options with the classic defaults, the in-process message bus,
    /// token protection through ASP.NET Core Data Protection, and the heartbeat that sends keep-alives and detects
    /// disconnected clients.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes the options, or <see langword="null"/> for the defaults.</param>
    /// <returns>A builder for further configuration, such as a backplane.</returns>
    public static IPersistentConnectionBuilder AddPersistentConnections(this IServiceCollection services, Action<PersistentConnectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PersistentConnectionOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PersistentConnectionOptions>, PersistentConnectionOptionsValidator>());
        services.AddDataProtection();
        services.TryAddSingleton(static sp => new TokenProtection(sp.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()));
        services.AddRouting();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics().TryAddSingleton<TetherServerMetrics>();
        services.TryAddSingleton<IMessageBus, InMemoryMessageBus>();
        services.TryAddSingleton<ConnectionManager>();
        services.TryAddSingleton<ConnectionHeartbeat>();
        services.TryAddSingleton(typeof(PersistentConnectionDispatcher<>));
        services.TryAddSingleton(typeof(IPersistentConnectionContext<>), typeof(PersistentConnectionContext<>));
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionHeartbeat>());
        return new PersistentConnectionBuilder(services);
    }

    private sealed class PersistentConnectionBuilder(IServiceCollection services) : IPersistentConnectionBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
