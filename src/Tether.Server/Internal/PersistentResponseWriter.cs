using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>What one persistent response carries besides its messages (PROTOCOL.md §6).</summary>
internal readonly record struct PersistentResponseHeader(
    string Cursor,
    bool Initialized = false,
    bool ShouldReconnect = false,
    string? GroupsToken = null,
    int LongPollDelayMs = 0,
    string? Error = null);

/// <summary>
/// Writes the persistent-response envelope <c>{"C":..,"S":1,"T":1,"G":..,"L":..,"M":[..]}</c> in the classic key order,
/// splicing each message's serialized bytes into <c>M</c> as they are: a message is serialized once, whatever the number
/// of receivers.
/// </summary>
internal static class PersistentResponseWriter
{
    public static void Write(IBufferWriter<byte> output, in PersistentResponseHeader header, IReadOnlyList<Message> messages, string connectionId)
    {
        WriteAscii(output, "{\"C\":\"");

        // Cursors are ASCII and JSON-safe by the bus contract, so they are written raw like classic does.
        WriteAscii(output, header.Cursor);
        WriteAscii(output, "\"");
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
            WriteAscii(output, ",\"G\":\"");
            WriteAscii(output, groupsToken);
            WriteAscii(output, "\"");
        }

        if (header.LongPollDelayMs != 0)
        {
            WriteAscii(output, ",\"L\":");
            WriteAscii(output, header.LongPollDelayMs.ToString(CultureInfo.InvariantCulture));
        }

        if (header.Error is { } error)
        {
            WriteAscii(output, ",\"E\":");
            using var writer = new Utf8JsonWriter(output);
            writer.WriteStringValue(error);
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

    /// <summary>Writes ASCII text as UTF-8 (identical bytes) without allocating.</summary>
    public static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        int written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }
}
