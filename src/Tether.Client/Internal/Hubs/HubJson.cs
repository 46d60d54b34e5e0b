using System;
#if NET
using System.Diagnostics.CodeAnalysis;
#endif
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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
        value is { ValueKind: not JsonValueKind.Null } element ? element.Deserialize(TypeInfo<T>(options))! : default!;

    /// <summary>The type information of <typeparamref name="T"/> from the options (see <see cref="TypeInfo(JsonSerializerOptions, Type)"/>).</summary>
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)TypeInfo(options, typeof(T));

    /// <summary>
    /// The type information of <paramref name="type"/> from the options. Options without a resolver get the
    /// reflection-based one, as <see cref="JsonSerializer"/>'s own overloads give them, unless the application turned
    /// reflection off (trimmed or native AOT): then only a source-generated resolver set on the options works.
    /// </summary>
#if NET
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reflection is used only while JsonSerializer.IsReflectionEnabledByDefault, a feature switch the trimmer honours.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reflection is used only while JsonSerializer.IsReflectionEnabledByDefault, a feature switch the trimmer honours.")]
#endif
    public static JsonTypeInfo TypeInfo(JsonSerializerOptions options, Type type)
    {
        if (!options.IsReadOnly && JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }

        return options.GetTypeInfo(type);
    }

    /// <summary>Writes a value of any runtime type with the type information of <paramref name="options"/>.</summary>
    public static void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, TypeInfo(options, value.GetType()));
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
