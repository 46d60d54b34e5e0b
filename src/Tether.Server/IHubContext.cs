using Tether.Server.Hubs;

namespace Tether.Server;

/// <summary>Sends to the clients and manages the groups of one hub from outside the hub (a controller, a background service).</summary>
public interface IHubContext
{
    /// <summary>The hub's clients, called dynamically: <c>Clients.All.addMessage(name, text)</c>.</summary>
    IHubConnectionContext<dynamic> Clients { get; }

    /// <summary>The hub's groups.</summary>
    IGroupManager Groups { get; }
}

/// <summary>The <see cref="IHubContext"/> of <typeparamref name="THub"/>, resolved from dependency injection.</summary>
/// <typeparam name="THub">The hub.</typeparam>
public interface IHubContext<THub> : IHubContext
    where THub : IHub
{
}

/// <summary>The context of <typeparamref name="THub"/> with clients typed as <typeparamref name="TClient"/>.</summary>
/// <typeparam name="THub">The hub.</typeparam>
/// <typeparam name="TClient">The interface of the client methods (or <see cref="IClientProxy"/>).</typeparam>
public interface IHubContext<THub, TClient>
    where THub : IHub
    where TClient : class
{
    /// <summary>The hub's clients.</summary>
    IHubConnectionContext<TClient> Clients { get; }

    /// <summary>The hub's groups.</summary>
    IGroupManager Groups { get; }
}
