using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Tether.Client.Internal.Hubs;

/// <summary>Conversions between hub JSON and .NET values with the connection's serializer options.</summary>
internal static class HubJson
{
    /// <summary>Why the reflection-based hub members are not safe for trimming and native AOT, and what to use instead.</summary>
    public const string ReflectionMessage =
        "Serializes arguments and deserializes results with reflection over runtime types; for trimming and native AOT use InvokeJsonAsync and the JsonTypeInfo overloads.";

    /// <summary>Reads a value as <typeparamref name="T"/>; a missing or null value gives the default.</summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public static T Convert<T>(JsonElement? value, JsonSerializerOptions options) =>
        value is { ValueKind: not JsonValueKind.Null } element ? element.Deserialize<T>(options)! : default!;

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
