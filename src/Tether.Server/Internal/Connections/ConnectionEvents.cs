using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace Tether.Server.Internal;

/// <summary>
/// Creates the <typeparamref name="TConnection"/> instance for each event, from dependency injection, and raises the
/// events that run outside a request of the connection in a scope of their own.
/// </summary>
internal sealed class ConnectionEvents<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TConnection> : IConnectionEvents
    where TConnection : PersistentConnection
{
    private static readonly ObjectFactory<TConnection> s_factory = ActivatorUtilities.CreateFactory<TConnection>(Type.EmptyTypes);

    private readonly ConnectionMessenger _messenger;
    private readonly IServiceScopeFactory _scopes;

    public ConnectionEvents(ConnectionMessenger messenger, IServiceScopeFactory scopes)
    {
        _messenger = messenger;
        _scopes = scopes;
    }

    /// <summary>Creates an instance for one event, with its <c>Connection</c> and <c>Groups</c>.</summary>
    public TConnection Create(IServiceProvider services)
    {
        var connection = s_factory(services, null);
        connection.Initialize(_messenger, _messenger);
        return connection;
    }

    public async Task RaiseConnectedAsync(IRequest request, string connectionId)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await Create(scope.ServiceProvider).OnConnected(request, connectionId).OrCompleted().ConfigureAwait(false);
        }
    }

    public async Task RaiseDisconnectedAsync(IRequest request, string connectionId, bool stopCalled)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await Create(scope.ServiceProvider).OnDisconnected(request, connectionId, stopCalled).OrCompleted().ConfigureAwait(false);
        }
    }
}

/// <summary>Event overrides may return a <see langword="null"/> task, which classic SignalR treats as a completed one.</summary>
internal static class EventTasks
{
    public static Task OrCompleted(this Task? task) => task ?? Task.CompletedTask;

    /// <summary>A null authorization task denies the request.</summary>
    public static Task<bool> OrDenied(this Task<bool>? task) => task ?? Task.FromResult(false);

    /// <summary>A null rejoin task rejoins no group.</summary>
    public static Task<IList<string>> OrNone(this Task<IList<string>>? task) => task ?? Task.FromResult<IList<string>>([]);
}
