namespace Tether.Server;

/// <summary>Sends messages to the connections of one <see cref="PersistentConnection"/> type.</summary>
/// <remarks>
/// Each value is serialized to JSON once (System.Text.Json, property names as declared) and the same bytes reach every
/// receiver. A <see cref="string"/> arrives as a JSON string. The returned task completes when the message is on the bus,
/// not when a client has received it.
/// <para>JSON that is already serialized goes out as it is: pass an <see cref="ArraySegment{T}"/> of UTF-8 bytes (the
/// classic server's form; it must hold exactly one JSON value, otherwise <see cref="ArgumentException"/> is thrown), or,
/// in new code, a <see cref="System.Text.Json.JsonElement"/>, which System.Text.Json writes as the value it holds.</para>
/// </remarks>
public interface IConnection
{
    /// <summary>The broadcast topic of this connection type (<c>pc-</c> followed by the type's full name).</summary>
    string DefaultSignal { get; }

    /// <summary>Sends a value to one connection.</summary>
    /// <param name="connectionId">The receiving connection.</param>
    /// <param name="value">The value to send.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when the message is published.</returns>
    Task Send(string connectionId, object? value, CancellationToken cancellationToken = default);

    /// <summary>Sends a value to several connections.</summary>
    /// <param name="connectionIds">The receiving connections.</param>
    /// <param name="value">The value to send.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when the message is published.</returns>
    Task Send(IReadOnlyList<string> connectionIds, object? value, CancellationToken cancellationToken = default);

    /// <summary>Sends a value to every connection of this type, except the excluded ones.</summary>
    /// <param name="value">The value to send.</param>
    /// <param name="excludeConnectionIds">Connections that must not receive it.</param>
    /// <returns>A task that completes when the message is published.</returns>
    Task Broadcast(object? value, params string[] excludeConnectionIds);

    /// <summary>Sends a value to every connection of this type, except the excluded ones.</summary>
    /// <param name="value">The value to send.</param>
    /// <param name="excludeConnectionIds">Connections that must not receive it.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when the message is published.</returns>
    Task Broadcast(object? value, IReadOnlyList<string> excludeConnectionIds, CancellationToken cancellationToken);
}
