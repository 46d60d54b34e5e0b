using System;
using System.Buffers;
using System.Text;

namespace Tether.Client.Internal;

/// <summary>
/// The classic .NET client's form encoder for <c>/send</c> bodies, also used for the long-polling receive bodies:
/// UTF-8, alphanumerics and <c>-_.!*()</c> kept, a space becomes <c>+</c>, everything else <c>%xx</c> with lowercase
/// hex (docs/protocol.md#send).
/// </summary>
internal static class FormUrlEncoder
{
    /// <summary>The <c>/send</c> body for a payload: <c>data=…</c>, or nothing at all for an empty payload (V16).</summary>
    /// <remarks>The payload's UTF-8 goes through a pooled buffer: the body array is the only allocation.</remarks>
    public static byte[] EncodeSendBody(string? data)
    {
        if (string.IsNullOrEmpty(data))
        {
            return [];
        }

        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(data!.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(data, 0, data.Length, utf8, 0);
            int extra = 0;
            for (int i = 0; i < length; i++)
            {
                byte b = utf8[i];
                if (b != (byte)' ' && !IsSafe(b))
                {
                    extra += 2;
                }
            }

            byte[] body = new byte[5 + length + extra];
            "data="u8.CopyTo(body);
            int pos = 5;
            for (int i = 0; i < length; i++)
            {
                pos = AppendByte(utf8[i], body, pos);
            }

            return body;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>
    /// The form body of a long-polling receive request, as the JavaScript client sends it:
    /// <c>messageId=…&amp;groupsToken=…</c>, each field present only when not <see langword="null"/> (an empty string
    /// still gives <c>messageId=</c>); <see langword="null"/> when both are.
    /// </summary>
    /// <remarks>The text is encoded straight into a pooled buffer: the exact-size body array is the only allocation.</remarks>
    public static byte[]? EncodeReceiveBody(string? messageId, string? groupsToken)
    {
        if (messageId is null && groupsToken is null)
        {
            return null;
        }

        int max = MaxEncodedLength(messageId) + MaxEncodedLength(groupsToken) + "messageId=&groupsToken=".Length;
        byte[] output = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int pos = 0;
            if (messageId != null)
            {
                "messageId="u8.CopyTo(output);
                pos = AppendEncoded(messageId, output, "messageId=".Length);
            }

            if (groupsToken != null)
            {
                if (pos > 0)
                {
                    output[pos++] = (byte)'&';
                }

                "groupsToken="u8.CopyTo(output.AsSpan(pos));
                pos = AppendEncoded(groupsToken, output, pos + "groupsToken=".Length);
            }

            return output.AsSpan(0, pos).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>Encodes text the same way, without the <c>data=</c> prefix.</summary>
    public static string Encode(string value)
    {
        byte[] body = EncodeSendBody(value);
        return body.Length == 0 ? string.Empty : Encoding.ASCII.GetString(body, 5, body.Length - 5);
    }

    /// <summary>The most bytes <paramref name="value"/> can encode to: each UTF-8 byte becomes at most three.</summary>
    private static int MaxEncodedLength(string? value) => value is null ? 0 : 3 * Encoding.UTF8.GetMaxByteCount(value.Length);

    /// <summary>Writes the encoding of <paramref name="value"/> at <paramref name="pos"/>; returns the position after it.</summary>
    private static int AppendEncoded(string value, byte[] output, int pos)
    {
        if (value.Length == 0)
        {
            return pos;
        }

        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(value, 0, value.Length, utf8, 0);
            for (int i = 0; i < length; i++)
            {
                pos = AppendByte(utf8[i], output, pos);
            }

            return pos;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private static int AppendByte(byte b, byte[] output, int pos)
    {
        if (IsSafe(b))
        {
            output[pos++] = b;
        }
        else if (b == (byte)' ')
        {
            output[pos++] = (byte)'+';
        }
        else
        {
            output[pos++] = (byte)'%';
            output[pos++] = Hex(b >> 4);
            output[pos++] = Hex(b & 0xF);
        }

        return pos;
    }

    private static byte Hex(int n) => (byte)(n <= 9 ? '0' + n : 'a' + n - 10);

    private static bool IsSafe(byte b) =>
        (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
        b == '-' || b == '_' || b == '.' || b == '!' || b == '*' || b == '(' || b == ')';
}
