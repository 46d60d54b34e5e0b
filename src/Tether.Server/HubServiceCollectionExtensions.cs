using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tether.Server.Hubs;
using Tether.Server.Hubs.Internal;

namespace Tether.Server;

/// <summary>Registers Tether's classic hubs.</summary>
public static class HubServiceCollectionExtensions
{
    /// <summary>
    /// Adds hubs: every non-abstract <see cref="IHub"/> class of the entry assembly, the persistent-connection services
    /// hubs run on (see <c>AddPersistentConnections</c>), authorization, and <see cref="IHubContext{THub}"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes the hub options, or <see langword="null"/> for the defaults.</param>
    /// <returns>A builder for further configuration, such as a backplane.</returns>
    [RequiresUnreferencedCode("Hubs are found, created and called by reflection.")]
    [RequiresDynamicCode("Hub method arguments, progress reporters and typed clients are made at run time.")]
    public static IPersistentConnectionBuilder AddHubs(this IServiceCollection services, Action<HubOptions>? configure = null) =>
        services.AddHubs(HubTypesOf(Assembly.GetEntryAssembly()), configure);

    /// <summary>Adds hubs: the classes of <paramref name="hubTypes"/>; otherwise as <see cref="AddHubs(IServiceCollection, Action{HubOptions}?)"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="hubTypes">The hub classes to serve.</param>
    /// <param name="configure">Changes the hub options, or <see langword="null"/> for the defaults.</param>
    /// <returns>A builder for further configuration, such as a backplane.</returns>
    [RequiresUnreferencedCode("Hubs are found, created and called by reflection.")]
    [RequiresDynamicCode("Hub method arguments, progress reporters and typed clients are made at run time.")]
    public static IPersistentConnectionBuilder AddHubs(this IServiceCollection services, IEnumerable<Type> hubTypes, Action<HubOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(hubTypes);
        var types = hubTypes.ToList();
        foreach (var type in types)
        {
            if (!IsHub(type))
            {
                throw new ArgumentException($"'{type.FullName}' is not a hub: a hub is a non-abstract class that implements IHub (derive it from Hub).", nameof(hubTypes));
            }
        }

        var builder = services.AddPersistentConnections();
        services.Configure<HubOptions>(options =>
        {
            foreach (var type in types.Where(t => !options.HubTypes.Contains(t)))
            {
                options.HubTypes.Add(type);
            }

            configure?.Invoke(options);
        });
        services.AddAuthorization();
        services.TryAddSingleton<IUserIdProvider, DefaultUserIdProvider>();
        services.TryAddSingleton<HubAuthorizer>();
        services.TryAddSingleton<HubPipeline>();
        services.TryAddSingleton<HubRuntime>();
        services.TryAddSingleton<HubInvoker>();
        services.TryAddSingleton(typeof(IHubContext<>), typeof(HubContext<>));
        services.TryAddSingleton(typeof(IHubContext<,>), typeof(HubContext<,>));
        return builder;
    }

    private static IEnumerable<Type> HubTypesOf(Assembly? assembly)
    {
        if (assembly is null)
        {
            return [];
        }

        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types;
        }

        return types.OfType<Type>().Where(IsHub);
    }

    private static bool IsHub(Type type) => type is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && typeof(IHub).IsAssignableFrom(type);
}
