namespace Tether.Server;

/// <summary>Adds connections to and removes them from the groups of one hub.</summary>
/// <remarks>Membership travels in the connection's groups token, so a reconnecting client rejoins its groups.</remarks>
public interface IGroupManager
{
    /// <summary>Adds a connection to a group.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="groupName">The group.</param>
    /// <returns>A task that completes when the change is published: a message sent to the group afterwards reaches the connection.</returns>
    Task Add(string connectionId, string groupName);

    /// <summary>Removes a connection from a group.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="groupName">The group.</param>
    /// <returns>A task that completes when the change is published.</returns>
    Task Remove(string connectionId, string groupName);
}
