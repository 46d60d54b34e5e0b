using Tether.Server.Internal;

namespace Tether.Server.Hubs.Internal;

/// <summary>The bus topics of hubs: all clients, one connection, one user and one group of a hub.</summary>
internal static class HubTopics
{
    public static string All(string hub) => "h-" + hub;

    public static string Connection(string hub, string connectionId) => "hc-" + hub + "." + connectionId;

    public static string User(string hub, string userId) => "hu-" + hub + "." + userId;

    /// <summary>A group's name in the groups token: <c>&lt;Hub&gt;.&lt;group&gt;</c>.</summary>
    public static string GroupName(string hub, string group) => hub + "." + group;

    /// <summary>A group's topic: the hub endpoint's group topic of <see cref="GroupName"/>.</summary>
    public static string Group(string hub, string group) =>
        Topics.ForQualifiedGroup(Topics.QualifiedGroup(HubEndpoint.TypeName, GroupName(hub, group)));
}
