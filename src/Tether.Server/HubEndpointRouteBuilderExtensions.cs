using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Hubs.Internal;
using Tether.Server.Internal;

namespace Tether.Server;

/// <summary>Maps classic hubs into endpoint routing.</summary>
public static class HubEndpointRouteBuilderExtensions
{
    /// <summary>Maps the hubs at <c>/signalr</c>, the classic path.</summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <returns>A convention builder for every endpoint of the hubs (<c>RequireAuthorization()</c>, <c>RequireCors()</c>...).</returns>
    [RequiresUnreferencedCode("Hubs are found, created and called by reflection.")]
    [RequiresDynamicCode("Hub method arguments, progress reporters and typed clients are made at run time.")]
    public static IEndpointConventionBuilder MapHubs(this IEndpointRouteBuilder endpoints) => endpoints.MapHubs("/signalr");

    /// <summary>
    /// Maps the hubs registered with <c>AddHubs</c> at <paramref name="pattern"/>: the hub connection (negotiate,
    /// connect, send...) and, below it, <c>/hubs</c> and <c>/js</c> with the generated JavaScript proxy.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The base path, e.g. <c>/signalr</c>.</param>
    /// <returns>A convention builder for every endpoint of the hubs (<c>RequireAuthorization()</c>, <c>RequireCors()</c>...).</returns>
    [RequiresUnreferencedCode("Hubs are found, created and called by reflection.")]
    [RequiresDynamicCode("Hub method arguments, progress reporters and typed clients are made at run time.")]
    public static IEndpointConventionBuilder MapHubs(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var runtime = endpoints.ServiceProvider.GetService<HubRuntime>()
            ?? throw new InvalidOperationException("Call services.AddHubs() before MapHubs().");

        string trimmed = pattern.TrimEnd('/');
        var connection = endpoints.MapPersistentConnection<HubEndpoint>(trimmed);
        var proxy = new JavaScriptProxyEndpoint(runtime);
        var convention = new CompositeEndpointConventionBuilder(
        [
            connection,
            endpoints.MapMethods(trimmed + "/hubs", ["GET", "HEAD"], proxy.ServeAsync),
            endpoints.MapMethods(trimmed + "/js", ["GET", "HEAD"], proxy.ServeAsync),
        ]);
        convention.WithDisplayName($"Tether hubs {trimmed}");
        return convention;
    }
}
