using System;
#if NET
using System.Diagnostics.CodeAnalysis;
#endif
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tether.Client.Internal;

/// <summary>
/// The type information for a value from the connection's <see cref="JsonSerializerOptions"/>. Options without a
/// resolver get the reflection-based one, as <see cref="JsonSerializer"/>'s own overloads give them, unless the
/// application turned reflection off (trimmed or native AOT): then only a source-generated resolver set on the
/// options works, and a type it lacks fails with System.Text.Json's message naming the type.
/// </summary>
internal static class JsonMetadata
{
#if NET
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reflection is used only while JsonSerializer.IsReflectionEnabledByDefault, a feature switch the trimmer honours.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reflection is used only while JsonSerializer.IsReflectionEnabledByDefault, a feature switch the trimmer honours.")]
#endif
    public static JsonTypeInfo For(JsonSerializerOptions options, Type type)
    {
        if (!options.IsReadOnly && JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }

        return options.GetTypeInfo(type);
    }

    /// <inheritdoc cref="For(JsonSerializerOptions, Type)"/>
    public static JsonTypeInfo<T> For<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)For(options, typeof(T));
}
