namespace Tether.Server.Hubs.Internal;

/// <summary>The clients of one hub, addressed from outside a call (<see cref="IHubContext"/>).</summary>
internal class HubClients(HubClientSender sender) : IHubConnectionContext<object>
{
    protected HubClientSender Sender { get; } = sender;

    protected string Hub => Sender.HubName;

    public object All => Proxy([HubTopics.All(Hub)]);

    public object AllExcept(params string[] excludeConnectionIds) => Proxy([HubTopics.All(Hub)], excludeConnectionIds);

    public object Client(string connectionId) => Proxy([HubTopics.Connection(Hub, Required(connectionId))]);

    public object Clients(IList<string> connectionIds) => Proxy([.. connectionIds.Select(id => HubTopics.Connection(Hub, Required(id)))]);

    public object Group(string groupName, params string[] excludeConnectionIds) => Proxy([HubTopics.Group(Hub, Required(groupName))], excludeConnectionIds);

    public object Groups(IList<string> groupNames, params string[] excludeConnectionIds) =>
        Proxy([.. groupNames.Select(g => HubTopics.Group(Hub, Required(g)))], excludeConnectionIds);

    public object User(string userId) => Proxy([HubTopics.User(Hub, Required(userId))]);

    public object Users(IList<string> userIds) => Proxy([.. userIds.Select(u => HubTopics.User(Hub, Required(u)))]);

    protected ClientProxy Proxy(IReadOnlyList<string> topics, IReadOnlyList<string>? excluded = null) => new(Sender, topics, excluded);

    private static string Required(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return value;
    }
}

/// <summary>The clients of one hub as seen from inside a call: adds the caller, the others and the caller's state.</summary>
internal sealed class HubCallerClients(HubClientSender sender, string connectionId, StateChangeTracker state)
    : HubClients(sender), IHubCallerConnectionContext<object>
{
    public object Caller => new CallerProxy(Sender, [HubTopics.Connection(Hub, connectionId)], state);

    public dynamic CallerState => new CallerStateProxy(state);

    public object Others => Proxy([HubTopics.All(Hub)], [connectionId]);

    public object OthersInGroup(string groupName) => Group(groupName, connectionId);

    public object OthersInGroups(IList<string> groupNames) => Groups(groupNames, connectionId);
}
