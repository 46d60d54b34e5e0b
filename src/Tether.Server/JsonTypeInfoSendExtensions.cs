using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tether.Server;

/// <summary>
/// Sends serialized with a <see cref="JsonTypeInfo{T}"/>, e.g. from a source-generated <c>JsonSerializerContext</c>:
/// no reflection, so they work in trimmed and native AOT applications. The value is serialized once, here, and goes out
/// as already-serialized JSON.
/// </summary>
public static class JsonTypeInfoSendExtensions
{
    /// <summary>Sends <paramref name="value"/> to one connection.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="connection">The connection sender.</param>
    /// <param name="connectionId">The connection.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">How to serialize it, e.g. <c>MyJsonContext.Default.MyType</c>.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>Completes once the message is published.</returns>
    public static Task Send<T>(this IConnection connection, string connectionId, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Send(connectionId, Serialize(value, typeInfo), cancellationToken);
    }

    /// <summary>Sends <paramref name="value"/> to every connection of the type, except <paramref name="excludeConnectionIds"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="connection">The connection sender.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">How to serialize it.</param>
    /// <param name="excludeConnectionIds">Connections that do not receive it.</param>
    /// <returns>Completes once the message is published.</returns>
    public static Task Broadcast<T>(this IConnection connection, T value, JsonTypeInfo<T> typeInfo, params string[] excludeConnectionIds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Broadcast(Serialize(value, typeInfo), excludeConnectionIds);
    }

    /// <summary>Sends <paramref name="value"/> to every connection in a group, except <paramref name="excludeConnectionIds"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="groups">The group manager.</param>
    /// <param name="groupName">The group.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">How to serialize it.</param>
    /// <param name="excludeConnectionIds">Connections that do not receive it.</param>
    /// <returns>Completes once the message is published.</returns>
    public static Task Send<T>(this IConnectionGroupManager groups, string groupName, T value, JsonTypeInfo<T> typeInfo, params string[] excludeConnectionIds)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return groups.Send(groupName, Serialize(value, typeInfo), excludeConnectionIds);
    }

    private static ArraySegment<byte> Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new ArraySegment<byte>(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
    }
}
