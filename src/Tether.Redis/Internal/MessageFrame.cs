using System.Buffers.Binary;
using System.Text;
using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>
/// The compact binary form of a <see cref="Message"/> between nodes (never seen by clients): what the publish script
/// stores in the replay stream and publishes, after its <c>&lt;id&gt;:&lt;epoch&gt;:</c> text prefix.
/// </summary>
/// <remarks>
/// <para>Layout, all lengths and counts as unsigned LEB128 varints: a version byte (1); the topic (length, UTF-8); the
/// payload (length, bytes); the excluded connection ids (count, then length and UTF-8 each); the command type
/// (0 for a data message), and for a command its value (0 for none, else length + 1, UTF-8) and its position
/// (8 bytes, little endian).</para>
/// <para>Decoding is strict: a frame of another version, truncated, or with bytes left over is rejected, never thrown
/// for, so one bad publisher cannot stop a node's intake.</para>
/// </remarks>
internal static class MessageFrame
{
    public const byte Version = 1;

    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a message.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The frame: measured first, then written once into an array of its exact length.</returns>
    public static byte[] Encode(Message message)
    {
        IReadOnlyList<string>? excluded = message.ExcludedConnectionIds;
        int excludedCount = excluded?.Count ?? 0;
        int topicLength = s_utf8.GetByteCount(message.Topic);
        int length = 1 + StringLength(topicLength) + StringLength(message.Payload.Length) + VarintLength((ulong)excludedCount);
        for (int i = 0; i < excludedCount; i++)
        {
            length += StringLength(s_utf8.GetByteCount(excluded![i] ?? string.Empty));
        }

        Command? command = message.Command;
        int valueLength = command?.Value is { } value ? s_utf8.GetByteCount(value) : 0;
        length += command is null ? 1 : VarintLength((ulong)command.Type) + VarintLength(command.Value is null ? 0 : (ulong)valueLength + 1) + valueLength + 8;

        byte[] frame = new byte[length];
        Span<byte> span = frame;
        span[0] = Version;
        int written = 1 + WriteString(span[1..], message.Topic, topicLength);
        written += WriteVarint(span[written..], (ulong)message.Payload.Length);
        message.Payload.Span.CopyTo(span[written..]);
        written += message.Payload.Length;
        written += WriteVarint(span[written..], (ulong)excludedCount);
        for (int i = 0; i < excludedCount; i++)
        {
            string id = excluded![i] ?? string.Empty;
            written += WriteString(span[written..], id, s_utf8.GetByteCount(id));
        }

        if (command is null)
        {
            span[written] = 0;
            return frame;
        }

        written += WriteVarint(span[written..], (ulong)command.Type);
        written += WriteVarint(span[written..], command.Value is null ? 0 : (ulong)valueLength + 1);
        if (command.Value is not null)
        {
            written += s_utf8.GetBytes(command.Value, span[written..]);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[written..], command.Position);
        return frame;
    }

    /// <summary>Decodes a frame.</summary>
    /// <param name="frame">The bytes after the text prefix.</param>
    /// <param name="topicNames">Interns topic names, so messages of one topic share one string; may be <see langword="null"/>.</param>
    /// <param name="message">The message.</param>
    /// <returns><see langword="false"/> when the frame is malformed or of another version.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> frame, Func<ReadOnlySpan<byte>, string>? topicNames, out Message? message)
    {
        message = null;
        try
        {
            if (frame.IsEmpty || frame[0] != Version)
            {
                return false;
            }

            var reader = new SpanReader(frame[1..]);
            if (!reader.TryReadBytes(out ReadOnlySpan<byte> topicBytes) || topicBytes.IsEmpty)
            {
                return false;
            }

            string topic = topicNames is null ? s_utf8.GetString(topicBytes) : topicNames(topicBytes);
            if (!reader.TryReadBytes(out ReadOnlySpan<byte> payload) || !reader.TryReadVarint(out ulong excludedCount) || excludedCount > (ulong)reader.Remaining)
            {
                return false;
            }

            string[]? excluded = excludedCount == 0 ? null : new string[excludedCount];
            for (int i = 0; i < (int)excludedCount; i++)
            {
                if (!reader.TryReadBytes(out ReadOnlySpan<byte> id))
                {
                    return false;
                }

                excluded![i] = s_utf8.GetString(id);
            }

            if (!reader.TryReadVarint(out ulong commandType))
            {
                return false;
            }

            if (commandType == 0)
            {
                if (reader.Remaining != 0)
                {
                    return false;
                }

                message = new Message(topic, payload.ToArray(), excluded);
                return true;
            }

            if (commandType > int.MaxValue || !reader.TryReadVarint(out ulong valueLength) || valueLength > (ulong)reader.Remaining + 1)
            {
                return false;
            }

            string? value = null;
            if (valueLength > 0)
            {
                if (!reader.TryTake((int)(valueLength - 1), out ReadOnlySpan<byte> valueBytes))
                {
                    return false;
                }

                value = s_utf8.GetString(valueBytes);
            }

            if (!reader.TryTake(8, out ReadOnlySpan<byte> position) || reader.Remaining != 0)
            {
                return false;
            }

            message = Message.ForCommand(topic, new Command((CommandType)(int)commandType, value, BinaryPrimitives.ReadUInt64LittleEndian(position)));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static int VarintLength(ulong value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>The length of a length-prefixed string or byte run of <paramref name="length"/> bytes.</summary>
    private static int StringLength(int length) => VarintLength((ulong)length) + length;

    private static int WriteString(Span<byte> destination, string value, int length)
    {
        int written = WriteVarint(destination, (ulong)length);
        return written + s_utf8.GetBytes(value, destination[written..]);
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly int Remaining => _data.Length;

        public bool TryReadVarint(out ulong value)
        {
            value = 0;
            for (int shift = 0, i = 0; i < 10 && i < _data.Length; i++, shift += 7)
            {
                byte b = _data[i];
                if (i == 9 && b > 1)
                {
                    return false;
                }

                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    _data = _data[(i + 1)..];
                    return true;
                }
            }

            return false;
        }

        public bool TryTake(int length, out ReadOnlySpan<byte> bytes)
        {
            if (length < 0 || length > _data.Length)
            {
                bytes = default;
                return false;
            }

            bytes = _data[..length];
            _data = _data[length..];
            return true;
        }

        public bool TryReadBytes(out ReadOnlySpan<byte> bytes)
        {
            bytes = default;
            return TryReadVarint(out ulong length) && length <= (ulong)_data.Length && TryTake((int)length, out bytes);
        }
    }
}
