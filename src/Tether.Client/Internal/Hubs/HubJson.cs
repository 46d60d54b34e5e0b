using System;
using System.Globalization;
using System.Text.Json;

namespace Tether.Client.Internal.Hubs;

/// <summary>Conversions between hub JSON and .NET values with the connection's serializer options.</summary>
internal static class HubJson
{
    /// <summary>
    /// Reads a value as <typeparamref name="T"/> with the type information of <paramref name="options"/> (reflection
    /// only where its resolver uses it; a source-generated resolver makes it safe for native AOT); a missing or null
    /// value gives the default.
    /// </summary>
    public static T Convert<T>(JsonElement? value, JsonSerializerOptions options) =>
        value is { ValueKind: not JsonValueKind.Null } element ? element.Deserialize(JsonMetadata.For<T>(options))! : default!;

    /// <summary>Writes a value of any runtime type with the type information of <paramref name="options"/>.</summary>
    public static void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, JsonMetadata.For(options, value.GetType()));
        }
    }

    /// <summary>Reads one argument of a client-method call, with the classic client's message when it does not fit.</summary>
    public static T Argument<T>(string eventName, int count, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                string.Format(CultureInfo.CurrentCulture, Resources.ClientCallbackArgumentTypeMismatch, eventName, count, ex.Message), ex);
        }
    }
}
