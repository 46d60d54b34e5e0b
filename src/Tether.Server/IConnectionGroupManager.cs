namespace Tether.Server;

/// <summary>Manages the groups of one <see cref="PersistentConnection"/> type and sends to them.</summary>
/// <remarks>
/// Membership travels with the connection in its groups token, so a client that reconnects, to this node or to
/// another one, rejoins its groups. A message sent to a group after <see cref="Add"/> completes reaches the added
/// connection, even when the connection has no receive request open at that moment.
/// </remarks>
public interface IConnectionGroupManager
{
    /// <summary>Adds a connection to a group.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="groupName">The group; any non-empty string.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the membership change is published.</returns>
    Task Add(string connectionId, string groupName, CancellationToken cancellationToken = default);

    /// <summary>Removes a connection from a group.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="groupName">The group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the membership change is published.</returns>
    Task Remove(string connectionId, string groupName, CancellationToken cancellationToken = default);

    /// <summary>Sends a value to every member of a group, except the excluded connections.</summary>
    /// <param name="groupName">The group.</param>
    /// <param name="value">The value to send.</param>
    /// <param name="excludeConnectionIds">Connections that must not receive it.</param>
    /// <returns>A task that completes when the message is published.</returns>
    Task Send(string groupName, object? value, params string[] excludeConnectionIds);

    /// <summary>Sends a value to every member of several groups, except the excluded connections.</summary>
    /// <param name="groupNames">The groups.</param>
    /// <param name="value">The value to send.</param>
    /// <param name="excludeConnectionIds">Connections that must not receive it.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when the message is published.</returns>
    Task Send(IReadOnlyList<string> groupNames, object? value, IReadOnlyList<string>? excludeConnectionIds = null, CancellationToken cancellationToken = default);
}
