namespace Tether.Server.Hubs;

/// <summary>Calls a method on a set of clients of a hub.</summary>
public interface IClientProxy
{
    /// <summary>Calls <paramref name="method"/> with <paramref name="args"/> on the clients.</summary>
    /// <param name="method">The client method, matched case-insensitively by the clients.</param>
    /// <param name="args">The arguments, serialized with System.Text.Json.</param>
    /// <returns>A task that completes when the call is published.</returns>
    Task Invoke(string method, params object?[] args);

    /// <summary>The same as <see cref="Invoke"/>, named as new code expects.</summary>
    /// <param name="method">The client method.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>A task that completes when the call is published.</returns>
    Task SendAsync(string method, params object?[] args);
}
