using System.Dynamic;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// The clients one call addresses: <c>proxy.addMessage(a, b)</c> (dynamic) or <c>Invoke("addMessage", a, b)</c>
/// publishes <c>{"H","M":"addMessage","A":[a,b]}</c> to their topics.
/// </summary>
internal class ClientProxy(HubClientSender sender, IReadOnlyList<string> topics, IReadOnlyList<string>? excluded) : DynamicObject, IClientProxy
{
    public Task Invoke(string method, params object?[] args) => sender.SendAsync(topics, method, args, excluded, CallerState());

    public Task SendAsync(string method, params object?[] args) => Invoke(method, args);

    public override bool TryInvokeMember(InvokeMemberBinder binder, object?[]? args, out object? result)
    {
        result = Invoke(binder.Name, args ?? []);
        return true;
    }

    /// <summary>The caller's changed state sent with the call (the caller's proxy only).</summary>
    protected virtual IDictionary<string, object?>? CallerState() => null;
}

/// <summary>The caller's proxy: calls its client methods, and reads and writes its state as members.</summary>
internal sealed class CallerProxy(HubClientSender sender, IReadOnlyList<string> topics, StateChangeTracker state) : ClientProxy(sender, topics, null)
{
    public override bool TryGetMember(GetMemberBinder binder, out object? result)
    {
        result = state[binder.Name];
        return true;
    }

    public override bool TrySetMember(SetMemberBinder binder, object? value)
    {
        state[binder.Name] = value;
        return true;
    }

    protected override IDictionary<string, object?>? CallerState() => state.GetChanges();
}

/// <summary>The caller's state alone, as dynamic members (<c>Clients.CallerState.name</c>).</summary>
internal sealed class CallerStateProxy(StateChangeTracker state) : DynamicObject
{
    public override bool TryGetMember(GetMemberBinder binder, out object? result)
    {
        result = state[binder.Name];
        return true;
    }

    public override bool TrySetMember(SetMemberBinder binder, object? value)
    {
        state[binder.Name] = value;
        return true;
    }
}
