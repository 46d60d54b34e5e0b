using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>What one persistent response carries besides its messages.</summary>
/// <param name="Cursor">The cursor (<c>C</c>), unless <see cref="FormattedCursor"/> is set.</param>
/// <param name="Initialized">Whether the connection has just been initialized (<c>S</c>).</param>
/// <param name="ShouldReconnect">Whether the client must reconnect (<c>T</c>).</param>
/// <param name="GroupsToken">The new groups token (<c>G</c>), or <see langword="null"/>.</param>
/// <param name="LongPollDelayMs">How long a long-polling client waits before its next poll (<c>L</c>), or 0.</param>
/// <param name="Error">An error for the client (<c>E</c>), or <see langword="null"/>.</param>
internal readonly record struct PersistentResponseHeader(
    string Cursor,
    bool Initialized = false,
    bool ShouldReconnect = false,
    string? GroupsToken = null,
    int LongPollDelayMs = 0,
    string? Error = null)
{
    /// <summary>Creates a header whose cursor was formatted into characters without building a string.</summary>
    public PersistentResponseHeader(ReadOnlyMemory<char> formattedCursor)
        : this(string.Empty)
    {
        FormattedCursor = formattedCursor;
    }

    /// <summary>The cursor as characters (a subscription's position, formatted per response); written instead of <see cref="Cursor"/> when not empty.</summary>
    public ReadOnlyMemory<char> FormattedCursor { get; init; }

    /// <summary>The characters written as the cursor.</summary>
    public ReadOnlySpan<char> CursorChars => FormattedCursor.IsEmpty ? Cursor.AsSpan() : FormattedCursor.Span;
}

/// <summary>
/// Writes the persistent-response envelope <c>{"C":..,"S":1,"T":1,"G":..,"L":..,"M":[..]}</c> in the classic key order,
/// splicing each message's serialized bytes into <c>M</c> as they are: a message is serialized once, whatever the number
/// of receivers.
/// </summary>
internal static class PersistentResponseWriter
{
    private static readonly SearchValues<char> s_plain =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.,:|+/=~");

    public static void Write(IBufferWriter<byte> output, in PersistentResponseHeader header, IReadOnlyList<Message> messages, string connectionId)
    {
        WriteAscii(output, "{\"C\":");

        // Cursors the buses issue are plain ASCII and go out as they are; anything else (a client's cursor echoed back)
        // is escaped, so no header value can break the JSON or a JSONP script.
        WriteJsonString(output, header.CursorChars);
        if (header.Initialized)
        {
            WriteAscii(output, ",\"S\":1");
        }

        if (header.ShouldReconnect)
        {
            WriteAscii(output, ",\"T\":1");
        }

        if (header.GroupsToken is { } groupsToken)
        {
            WriteAscii(output, ",\"G\":");
            WriteJsonString(output, groupsToken);
        }

        if (header.LongPollDelayMs != 0)
        {
            WriteAscii(output, ",\"L\":");
            var digits = output.GetSpan(11);
            header.LongPollDelayMs.TryFormat(digits, out int written, provider: CultureInfo.InvariantCulture);
            output.Advance(written);
        }

        if (header.Error is { } error)
        {
            WriteAscii(output, ",\"E\":");
            WriteJsonString(output, error);
        }

        WriteAscii(output, ",\"M\":[");
        bool first = true;
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Command is not null || message.Excludes(connectionId))
            {
                continue;
            }

            if (!first)
            {
                WriteAscii(output, ",");
            }

            first = false;
            output.Write(message.Payload.Span);
        }

        WriteAscii(output, "]}");
    }

    /// <summary>
    /// Writes <paramref name="text"/> as a JSON string: as it is when it holds only characters that need no escaping
    /// anywhere (letters, digits and <c>-_.,:|+/=~</c>), otherwise escaped by <see cref="Utf8JsonWriter"/>'s default
    /// encoder, which also escapes HTML-sensitive and non-ASCII characters.
    /// </summary>
    public static void WriteJsonString(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (IsPlain(text))
        {
            var span = output.GetSpan(text.Length + 2);
            span[0] = (byte)'"';
            int written = Encoding.ASCII.GetBytes(text, span[1..]);
            span[written + 1] = (byte)'"';
            output.Advance(written + 2);
            return;
        }

        using var writer = new Utf8JsonWriter(output);
        writer.WriteStringValue(text);
    }

    /// <summary>Whether <paramref name="text"/> holds only characters that need no escaping in JSON, JavaScript or HTML.</summary>
    public static bool IsPlain(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(s_plain);

    /// <summary>Writes ASCII text as UTF-8 (identical bytes) without allocating.</summary>
    public static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        int written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }
}
