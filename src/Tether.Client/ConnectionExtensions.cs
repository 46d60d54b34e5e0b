using System;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tether.Client.Internal;

namespace Tether.Client;

/// <summary>Helpers over <see cref="Connection"/>: observables (without a dependency on Rx), item access and JSON.</summary>
public static class ConnectionExtensions
{
    /// <summary>The messages as an observable: <c>OnNext</c> per message, <c>OnCompleted</c> when the connection stops, <c>OnError</c> when it closes because of an error.</summary>
    /// <param name="connection">The connection.</param>
    /// <returns>The observable; each subscription lasts until the connection closes or the subscription is disposed.</returns>
    /// <remarks>
    /// Unlike the classic client, which passed every <c>Error</c> to <c>OnError</c> and kept going, this follows the
    /// Rx contract: errors that do not close the connection are not terminal and stay on <see cref="Connection.Error"/>.
    /// </remarks>
    public static IObservable<string> AsObservable(this Connection connection) =>
        new ObservableConnection<string>(connection ?? throw new ArgumentNullException(nameof(connection)), static m => m.Text!);

    /// <summary>The messages deserialized as <typeparamref name="T"/> with <see cref="Connection.JsonSerializerOptions"/>.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="connection">The connection.</param>
    /// <returns>The observable; a message that does not deserialize ends the subscription with <c>OnError</c>.</returns>
    public static IObservable<T> AsObservable<T>(this Connection connection)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        return new ObservableConnection<T>(connection, m => JsonSerializer.Deserialize(m.Raw!, JsonMetadata.For<T>(connection.JsonSerializerOptions))!);
    }

    /// <summary>The messages deserialized as <typeparamref name="T"/> with source-generated type information.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="connection">The connection.</param>
    /// <param name="jsonTypeInfo">How to deserialize.</param>
    /// <returns>The observable.</returns>
    public static IObservable<T> AsObservable<T>(this Connection connection, JsonTypeInfo<T> jsonTypeInfo)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        if (jsonTypeInfo is null)
        {
            throw new ArgumentNullException(nameof(jsonTypeInfo));
        }

        return new ObservableConnection<T>(connection, m => JsonSerializer.Deserialize(m.Raw!, jsonTypeInfo)!);
    }

    /// <summary>The messages (as <see cref="Connection.Received"/> gets them) converted by a selector.</summary>
    /// <typeparam name="T">The converted type.</typeparam>
    /// <param name="connection">The connection.</param>
    /// <param name="selector">The conversion.</param>
    /// <returns>The observable.</returns>
    public static IObservable<T> AsObservable<T>(this Connection connection, Func<string, T> selector)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        if (selector is null)
        {
            throw new ArgumentNullException(nameof(selector));
        }

        return new ObservableConnection<T>(connection, m => selector(m.Text!));
    }

    /// <summary>Reads a value of <see cref="Connection.Items"/>, or the default when absent.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="connection">The connection.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public static T? GetValue<T>(this Connection connection, string key)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentNullException(nameof(key));
        }

        lock (connection.Items)
        {
            return connection.Items.TryGetValue(key, out object? value) ? (T)value : default;
        }
    }

    /// <summary>Serializes a value as the connection's sends do.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="value">The value.</param>
    /// <returns>The JSON text.</returns>
    public static string JsonSerializeObject(this Connection connection, object? value)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        return JsonSerializer.Serialize(value, JsonMetadata.For(connection.JsonSerializerOptions, value?.GetType() ?? typeof(object)));
    }

    /// <summary>Deserializes JSON text with the connection's options.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="connection">The connection.</param>
    /// <param name="jsonValue">The JSON text.</param>
    /// <returns>The value.</returns>
    public static T? JsonDeserializeObject<T>(this Connection connection, string jsonValue)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        return JsonSerializer.Deserialize(jsonValue, JsonMetadata.For<T>(connection.JsonSerializerOptions));
    }
}
