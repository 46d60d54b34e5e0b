using System.Buffers;
using System.Text;

namespace Tether.Client.Internal;

/// <summary>
/// The classic .NET client's form encoder for <c>/send</c> bodies: UTF-8, alphanumerics and <c>-_.!*()</c> kept, a space
/// becomes <c>+</c>, everything else <c>%xx</c> with lowercase hex (docs/protocol.md#send).
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
                byte b = utf8[i];
                if (IsSafe(b))
                {
                    body[pos++] = b;
                }
                else if (b == (byte)' ')
                {
                    body[pos++] = (byte)'+';
                }
                else
                {
                    body[pos++] = (byte)'%';
                    body[pos++] = Hex(b >> 4);
                    body[pos++] = Hex(b & 0xF);
                }
            }

            return body;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>Encodes text the same way, without the <c>data=</c> prefix.</summary>
    public static string Encode(string value)
    {
        byte[] body = EncodeSendBody(value);
        return body.Length == 0 ? string.Empty : Encoding.ASCII.GetString(body, 5, body.Length - 5);
    }

    private static byte Hex(int n) => (byte)(n <= 9 ? '0' + n : 'a' + n - 10);

    private static bool IsSafe(byte b) =>
        (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
        b == '-' || b == '_' || b == '.' || b == '!' || b == '*' || b == '(' || b == ')';
}
