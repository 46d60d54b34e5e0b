using System.Text;

namespace Tether.Client.Internal;

/// <summary>
/// The classic .NET client's form encoder for <c>/send</c> bodies: UTF-8, alphanumerics and <c>-_.!*()</c> kept, a space
/// becomes <c>+</c>, everything else <c>%xx</c> with lowercase hex (docs/protocol.md#send).
/// </summary>
internal static class FormUrlEncoder
{
    /// <summary>The <c>/send</c> body for a payload: <c>data=…</c>, or nothing at all for an empty payload (V16).</summary>
    public static byte[] EncodeSendBody(string? data)
    {
        if (string.IsNullOrEmpty(data))
        {
            return [];
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(data);
        int extra = 0;
        foreach (byte b in utf8)
        {
            if (b != (byte)' ' && !IsSafe(b))
            {
                extra += 2;
            }
        }

        byte[] body = new byte[5 + utf8.Length + extra];
        "data="u8.CopyTo(body);
        int pos = 5;
        foreach (byte b in utf8)
        {
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
