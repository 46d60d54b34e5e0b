using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tether.Server.Internal;

/// <summary>
/// The type information for a value from the server's <see cref="JsonSerializerOptions"/>. Options without a
/// resolver get the reflection-based one, as <see cref="JsonSerializer"/>'s own overloads give them, unless the
/// application turned reflection off (trimmed or native AOT): then only a source-generated resolver set on the
/// options works, and a type it lacks fails with System.Text.Json's message naming the type.
/// </summary>
internal static class JsonMetadata
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reflection is used only while JsonSerializer.IsReflectionEnabledByDefault, a feature switch the trimmer honours.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reflection is used only while JsonSerializer.IsReflectionEnabledByDefault, a feature switch the trimmer honours.")]
    public static JsonTypeInfo For(JsonSerializerOptions options, Type type)
    {
        if (!options.IsReadOnly && JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }

        return options.GetTypeInfo(type);
    }
}
