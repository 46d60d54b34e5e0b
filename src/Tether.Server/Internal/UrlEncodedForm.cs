using System.Buffers;
using System.Text;

namespace Tether.Server.Internal;

/// <summary>
/// The raw bytes of an <c>application/x-www-form-urlencoded</c> body, decoded field by field on demand: only the
/// fields asked for become strings, straight from the bytes, with no intermediate buffer per field.
/// </summary>
/// <remarks>
/// Pairs are split at <c>&amp;</c> first and then at their first <c>=</c>, as the classic server's host did (ASP.NET
/// Core's form readers would read a name across an <c>&amp;</c>). Decoding follows ASP.NET Core's: the bytes are read as UTF-8 (invalid sequences become U+FFFD),
/// <c>+</c> is a space, then percent-escapes are unescaped as <see cref="Uri.UnescapeDataString(string)"/> does (an
/// invalid escape stays as it is). Field names match case-insensitively; a field given several times reads as its
/// non-empty values joined by commas; a pair without <c>=</c> is ignored.
/// </remarks>
internal sealed class UrlEncodedForm
{
    /// <summary>Characters decoded on the stack; longer values use a pooled buffer.</summary>
    private const int StackChars = 256;

    private readonly byte[] _body;
    private readonly int _length;

    /// <param name="body">The body; the form keeps it.</param>
    /// <param name="length">How many bytes of <paramref name="body"/> are the body.</param>
    public UrlEncodedForm(byte[] body, int length)
    {
        _body = body;
        _length = length;
    }

    /// <summary>An empty form.</summary>
    public static UrlEncodedForm Empty { get; } = new([], 0);

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The decoded value of the field <paramref name="name"/> (ASCII), or <see langword="null"/> when absent.</summary>
    public string? this[string name]
    {
        get
        {
            ReadOnlySpan<byte> rest = _body.AsSpan(0, _length);
            if (rest.StartsWith(Utf8Bom))
            {
                rest = rest[Utf8Bom.Length..];
            }

            string? found = null;
            while (!rest.IsEmpty)
            {
                int end = rest.IndexOf((byte)'&');
                var pair = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[(end + 1)..];
                int equals = pair.IndexOf((byte)'=');
                if (equals < 0 || !NameMatches(pair[..equals], name))
                {
                    continue;
                }

                found = RequestQuery.JoinRepeated(found, Decode(pair[(equals + 1)..]));
            }

            return found;
        }
    }

    private static bool NameMatches(ReadOnlySpan<byte> encoded, string name) =>
        encoded.IndexOfAny((byte)'%', (byte)'+') < 0
            ? Ascii.EqualsIgnoreCase(encoded, name)
            : string.Equals(Decode(encoded), name, StringComparison.OrdinalIgnoreCase);

    private static string Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IndexOfAny((byte)'%', (byte)'+') < 0)
        {
            return Encoding.UTF8.GetString(encoded);
        }

        // UTF-8 never gives more characters than bytes: the text and the decoding's work space fit three times the length.
        char[]? rented = null;
        Span<char> buffer = encoded.Length <= StackChars
            ? stackalloc char[3 * StackChars]
            : (rented = ArrayPool<char>.Shared.Rent(3 * encoded.Length));
        try
        {
            int count = Encoding.UTF8.GetChars(encoded, buffer);
            int written = UrlDecoding.Decode(buffer[..count], buffer[count..]);
            return new string(buffer.Slice(count, written));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
