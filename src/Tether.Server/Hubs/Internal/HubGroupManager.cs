using Tether.Server.Internal;

namespace Tether.Server.Hubs.Internal;

/// <summary>The groups of one hub: the hub endpoint's groups named <c>&lt;Hub&gt;.&lt;group&gt;</c>.</summary>
internal sealed class HubGroupManager(IConnectionGroupManager endpointGroups, string hub) : IGroupManager
{
    public Task Add(string connectionId, string groupName)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        return endpointGroups.Add(connectionId, HubTopics.GroupName(hub, groupName));
    }

    public Task Remove(string connectionId, string groupName)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        return endpointGroups.Remove(connectionId, HubTopics.GroupName(hub, groupName));
    }
}
