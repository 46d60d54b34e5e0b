using System.Diagnostics.CodeAnalysis;

namespace Tether.Server.Hubs.Internal;

/// <summary>The <see cref="IHubContext{THub}"/> of one hub, from dependency injection.</summary>
internal sealed class HubContext<THub>(HubRuntime runtime) : IHubContext<THub>
    where THub : IHub
{
    private readonly string _hub = (runtime.Catalog.Find(typeof(THub)) ?? throw NotServed(typeof(THub))).Name;

    public IHubConnectionContext<dynamic> Clients => new HubClients(runtime.SenderFor(_hub));

    public IGroupManager Groups => runtime.GroupsFor(_hub);

    internal static InvalidOperationException NotServed(Type hub) =>
        new($"'{hub.FullName}' is not one of the hubs AddHubs registered.");
}

/// <summary>The <see cref="IHubContext{THub, TClient}"/> of one hub, from dependency injection.</summary>
[RequiresDynamicCode("Typed hub clients are generated at run time.")]
[RequiresUnreferencedCode("Typed hub clients are generated at run time from the interface's methods.")]
internal sealed class HubContext<THub, TClient>(IHubContext<THub> untyped) : IHubContext<THub, TClient>
    where THub : IHub
    where TClient : class
{
    public IHubConnectionContext<TClient> Clients => new TypedConnectionContext<TClient>(untyped.Clients);

    public IGroupManager Groups => untyped.Groups;
}
