using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Tether.Server.Hubs.Internal;

/// <summary>Turns a client proxy into <typeparamref name="T"/>: itself for <see cref="IClientProxy"/>, a generated interface proxy otherwise.</summary>
internal static class TypedClient<T>
    where T : class
{
    [RequiresDynamicCode("Typed hub clients are generated at run time.")]
    [RequiresUnreferencedCode("Typed hub clients are generated at run time from the interface's methods.")]
    public static T From(object proxy)
    {
        if (proxy is T typed)
        {
            return typed;
        }

        if (!typeof(T).IsInterface)
        {
            throw new InvalidOperationException($"The type T, '{typeof(T).FullName}', passed to Hub<T> must be an interface.");
        }

        var created = DispatchProxy.Create<T, InterfaceClient>();
        ((InterfaceClient)(object)created).Target = (IClientProxy)proxy;
        return created;
    }
}

/// <summary>Each method of the client interface calls the client method of the same name.</summary>
[RequiresDynamicCode("Typed hub clients are generated at run time.")]
internal class InterfaceClient : DispatchProxy
{
    public IClientProxy? Target { get; set; }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var task = Target!.Invoke(targetMethod.Name, args ?? []);
        return targetMethod.ReturnType == typeof(void) ? null : task;
    }
}

/// <summary><see cref="IHubConnectionContext{T}"/> typed over the dynamic one.</summary>
[RequiresDynamicCode("Typed hub clients are generated at run time.")]
[RequiresUnreferencedCode("Typed hub clients are generated at run time from the interface's methods.")]
internal class TypedConnectionContext<T>(IHubConnectionContext<object> inner) : IHubConnectionContext<T>
    where T : class
{
    public T All => TypedClient<T>.From(inner.All);

    public T AllExcept(params string[] excludeConnectionIds) => TypedClient<T>.From(inner.AllExcept(excludeConnectionIds));

    public T Client(string connectionId) => TypedClient<T>.From(inner.Client(connectionId));

    public T Clients(IList<string> connectionIds) => TypedClient<T>.From(inner.Clients(connectionIds));

    public T Group(string groupName, params string[] excludeConnectionIds) => TypedClient<T>.From(inner.Group(groupName, excludeConnectionIds));

    public T Groups(IList<string> groupNames, params string[] excludeConnectionIds) => TypedClient<T>.From(inner.Groups(groupNames, excludeConnectionIds));

    public T User(string userId) => TypedClient<T>.From(inner.User(userId));

    public T Users(IList<string> userIds) => TypedClient<T>.From(inner.Users(userIds));
}

/// <summary><see cref="IHubCallerConnectionContext{T}"/> typed over the dynamic one.</summary>
[RequiresDynamicCode("Typed hub clients are generated at run time.")]
[RequiresUnreferencedCode("Typed hub clients are generated at run time from the interface's methods.")]
internal sealed class TypedCallerConnectionContext<T>(IHubCallerConnectionContext<object> inner) : TypedConnectionContext<T>(inner), IHubCallerConnectionContext<T>
    where T : class
{
    public T Caller => TypedClient<T>.From(inner.Caller);

    public dynamic CallerState => inner.CallerState;

    public T Others => TypedClient<T>.From(inner.Others);

    public T OthersInGroup(string groupName) => TypedClient<T>.From(inner.OthersInGroup(groupName));

    public T OthersInGroups(IList<string> groupNames) => TypedClient<T>.From(inner.OthersInGroups(groupNames));
}
