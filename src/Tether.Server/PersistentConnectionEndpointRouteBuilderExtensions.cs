using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Internal;

namespace Tether.Server;

/// <summary>Maps persistent connections into endpoint routing.</summary>
public static class PersistentConnectionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <typeparamref name="TConnection"/> at <paramref name="pattern"/>: the base path and every path below it
    /// (<c>/negotiate</c>, <c>/connect</c>, <c>/send</c>, ...) are served by Tether.
    /// </summary>
    /// <typeparam name="TConnection">The persistent connection type.</typeparam>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The base path, e.g. <c>/echo</c>.</param>
    /// <returns>A convention builder, so <c>.RequireAuthorization()</c>, <c>.RequireCors()</c> and the like apply to the whole endpoint.</returns>
    public static IEndpointConventionBuilder MapPersistentConnection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TConnection>(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern)
        where TConnection : PersistentConnection
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (endpoints.ServiceProvider.GetService<ConnectionManager>() is null)
        {
            throw new InvalidOperationException("Call services.AddPersistentConnections() before MapPersistentConnection<T>().");
        }

        var dispatcher = endpoints.ServiceProvider.GetRequiredService<PersistentConnectionDispatcher<TConnection>>();

        // WebSocket upgrades need the WebSockets middleware; run it in the endpoint's own pipeline so the
        // application does not have to remember app.UseWebSockets(), and only for requests that can be upgraded: it
        // allocates a handshake object for every request it sees.
        var app = endpoints.CreateApplicationBuilder();
        app.UseMiddleware<RequestFaultHandler>();
        app.UseWhen(UpgradeRequests.MayBeWebSocket, webSockets => webSockets.UseWebSockets());
        app.Run(dispatcher.ProcessRequestAsync);
        var requestDelegate = app.Build();

        string trimmed = pattern.TrimEnd('/');
        var builders = new[]
        {
            endpoints.Map(trimmed, requestDelegate),
            endpoints.Map(trimmed + "/{**tetherOperation}", requestDelegate),
        };
        string displayName = $"Tether persistent connection {typeof(TConnection).Name} {trimmed}";
        var convention = new CompositeEndpointConventionBuilder(builders);
        convention.WithDisplayName(displayName);
        return convention;
    }
}
