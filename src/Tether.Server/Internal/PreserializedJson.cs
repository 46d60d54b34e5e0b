using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Tether.Server.Internal;

/// <summary>
/// Checks a value that is already UTF-8 JSON (<see cref="ArraySegment{T}"/> of bytes, the classic server's
/// "preserialized" form) before it is spliced into responses as it is.
/// </summary>
internal static class PreserializedJson
{
    /// <summary>
    /// Returns the bytes of <paramref name="json"/> when they are exactly one JSON value (whitespace around it allowed),
    /// compacted when they contain line breaks so that a Server-Sent Events <c>data:</c> line cannot be split.
    /// </summary>
    /// <param name="json">The UTF-8 JSON.</param>
    /// <param name="paramName">The argument name reported on failure.</param>
    /// <returns>The payload to publish.</returns>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8, not JSON, or more than one value.</exception>
    public static byte[] ToPayload(ArraySegment<byte> json, string paramName)
    {
        ReadOnlySpan<byte> span = json.AsSpan();
        if (!Utf8.IsValid(span))
        {
            throw new ArgumentException("The preserialized JSON is not valid UTF-8.", paramName);
        }

        try
        {
            var reader = new Utf8JsonReader(span);
            if (!reader.Read())
            {
                throw new ArgumentException("The preserialized JSON is empty; send \"null\"u8 for a null value.", paramName);
            }

            reader.Skip();
            if (reader.Read())
            {
                throw new ArgumentException("The preserialized JSON holds more than one value.", paramName);
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("The preserialized JSON is not one valid JSON value: " + ex.Message, paramName, ex);
        }

        if (span.IndexOfAny((byte)'\r', (byte)'\n') < 0)
        {
            return span.ToArray();
        }

        // Line breaks can only be insignificant whitespace here (JSON strings escape them): write the value compactly.
        using var document = JsonDocument.Parse(json);
        var compact = new ArrayBufferWriter<byte>(json.Count);
        using (var writer = new Utf8JsonWriter(compact))
        {
            document.RootElement.WriteTo(writer);
        }

        return compact.WrittenSpan.ToArray();
    }
}
