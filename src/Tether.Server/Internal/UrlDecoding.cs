using System.Buffers;

namespace Tether.Server.Internal;

/// <summary>
/// Decodes one URL-encoded form or query value as ASP.NET Core does (<c>+</c> is a space, then percent-escapes are
/// unescaped as <see cref="Uri.UnescapeDataString(string)"/> does, an invalid escape staying as it is), into exactly
/// one string: the work happens on the stack or in a pooled buffer.
/// </summary>
internal static class UrlDecoding
{
    /// <summary>Characters decoded on the stack; longer values use a pooled buffer.</summary>
    private const int StackChars = 256;

    /// <summary>The decoded value of <paramref name="encoded"/>.</summary>
    public static string Decode(ReadOnlySpan<char> encoded)
    {
        if (encoded.IndexOfAny('%', '+') < 0)
        {
            return new string(encoded);
        }

        char[]? rented = null;
        Span<char> buffer = encoded.Length <= StackChars
            ? stackalloc char[2 * StackChars]
            : (rented = ArrayPool<char>.Shared.Rent(2 * encoded.Length));
        try
        {
            int written = Decode(encoded, buffer);
            return new string(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> into <paramref name="buffer"/>, which must hold twice its length (the text
    /// with spaces, then its unescaped form); returns how many characters of <paramref name="buffer"/> are the value.
    /// </summary>
    public static int Decode(ReadOnlySpan<char> encoded, Span<char> buffer)
    {
        var text = buffer[..encoded.Length];
        encoded.Replace(text, '+', ' ');
        if (text.IndexOf('%') < 0)
        {
            return text.Length;
        }

        var unescaped = buffer.Slice(encoded.Length, encoded.Length);
        if (!Uri.TryUnescapeDataString(text, unescaped, out int written))
        {
            return text.Length;
        }

        unescaped[..written].CopyTo(buffer);
        return written;
    }
}
