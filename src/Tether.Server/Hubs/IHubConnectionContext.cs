namespace Tether.Server.Hubs;

/// <summary>Chooses which clients of a hub a call goes to.</summary>
/// <typeparam name="T">The proxy type: <see langword="dynamic"/>, <see cref="IClientProxy"/> or a client interface.</typeparam>
public interface IHubConnectionContext<T>
{
    /// <summary>Every client of the hub.</summary>
    T All { get; }

    /// <summary>Every client of the hub but the excluded connections.</summary>
    /// <param name="excludeConnectionIds">The connections left out.</param>
    /// <returns>The proxy.</returns>
    T AllExcept(params string[] excludeConnectionIds);

    /// <summary>One connection.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <returns>The proxy.</returns>
    T Client(string connectionId);

    /// <summary>Several connections.</summary>
    /// <param name="connectionIds">The connections.</param>
    /// <returns>The proxy.</returns>
    T Clients(IList<string> connectionIds);

    /// <summary>The members of a group.</summary>
    /// <param name="groupName">The group.</param>
    /// <param name="excludeConnectionIds">The connections left out.</param>
    /// <returns>The proxy.</returns>
    T Group(string groupName, params string[] excludeConnectionIds);

    /// <summary>The members of several groups.</summary>
    /// <param name="groupNames">The groups.</param>
    /// <param name="excludeConnectionIds">The connections left out.</param>
    /// <returns>The proxy.</returns>
    T Groups(IList<string> groupNames, params string[] excludeConnectionIds);

    /// <summary>Every connection of one user (see <see cref="IUserIdProvider"/>).</summary>
    /// <param name="userId">The user.</param>
    /// <returns>The proxy.</returns>
    T User(string userId);

    /// <summary>Every connection of several users.</summary>
    /// <param name="userIds">The users.</param>
    /// <returns>The proxy.</returns>
    T Users(IList<string> userIds);
}

/// <summary>Chooses which clients a call goes to, from inside a hub method: adds the caller and its state.</summary>
/// <typeparam name="T">The proxy type.</typeparam>
public interface IHubCallerConnectionContext<T> : IHubConnectionContext<T>
{
    /// <summary>The calling connection; with <see langword="dynamic"/>, also its state (<c>Clients.Caller.name = "x"</c>).</summary>
    T Caller { get; }

    /// <summary>The caller's state, read and written as dynamic members.</summary>
    dynamic CallerState { get; }

    /// <summary>Every client of the hub but the caller.</summary>
    T Others { get; }

    /// <summary>The members of a group but the caller.</summary>
    /// <param name="groupName">The group.</param>
    /// <returns>The proxy.</returns>
    T OthersInGroup(string groupName);

    /// <summary>The members of several groups but the caller.</summary>
    /// <param name="groupNames">The groups.</param>
    /// <returns>The proxy.</returns>
    T OthersInGroups(IList<string> groupNames);
}
