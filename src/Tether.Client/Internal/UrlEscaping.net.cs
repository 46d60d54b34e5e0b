using System;
using System.Buffers;

namespace Tether.Client.Internal;

/// <summary>Query-value escaping straight into the final string (modern .NET: no intermediate escaped string).</summary>
internal static class UrlEscaping
{
    /// <summary><paramref name="prefix"/> + <paramref name="name"/> + the value escaped as <see cref="Uri.EscapeDataString(string)"/> does + <paramref name="suffix"/>, in one string.</summary>
    public static string ConcatEscaped(string prefix, string name, string value, string suffix)
    {
        // Escaping turns one UTF-16 unit into at most 9 characters (%XX%XX%XX for a 3-byte UTF-8 sequence).
        char[] rented = ArrayPool<char>.Shared.Rent(Math.Max(16, value.Length * 9));
        try
        {
            if (!Uri.TryEscapeDataString(value, rented, out int written))
            {
                return prefix + name + Uri.EscapeDataString(value) + suffix;
            }

            return string.Concat(prefix.AsSpan(), name.AsSpan(), rented.AsSpan(0, written), suffix.AsSpan());
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
