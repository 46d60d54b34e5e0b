using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Tether.Server.Internal;

/// <summary>
/// Reads single query parameters straight from the query string, as <c>Request.Query[name]</c> would give them (names
/// case-insensitive, <c>+</c> as space, percent-escapes decoded, repeated values joined by commas), without building
/// the whole query collection on every request: only the values asked for become strings.
/// </summary>
internal static class RequestQuery
{
    /// <summary>The decoded value of <paramref name="name"/>, or <see langword="null"/> when the query has none.</summary>
    public static string? Get(HttpRequest request, string name)
    {
        string? found = null;
        foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
        {
            if (!pair.DecodeName().Span.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            found = JoinRepeated(found, UrlDecoding.Decode(pair.EncodedValue.Span));
        }

        return found;
    }

    /// <summary>
    /// Decodes the value of <paramref name="name"/> into <paramref name="destination"/> when the query has it exactly
    /// once and it fits (the buffer must hold twice the encoded value); otherwise <see langword="false"/>, and
    /// <see cref="Get"/> reads it.
    /// </summary>
    public static bool TryDecodeSingle(HttpRequest request, string name, Span<char> destination, out int written)
    {
        written = 0;
        ReadOnlySpan<char> single = default;
        bool seen = false;
        foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
        {
            if (pair.DecodeName().Span.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                if (seen)
                {
                    return false;
                }

                single = pair.EncodedValue.Span;
                seen = true;
            }
        }

        if (!seen || 2 * single.Length > destination.Length)
        {
            return false;
        }

        written = UrlDecoding.Decode(single, destination);
        return true;
    }

    /// <summary>
    /// A field read once more: its non-empty values joined by commas, as <c>StringValues</c> turns into a string.
    /// </summary>
    /// <param name="found">The value so far, or <see langword="null"/> for the first occurrence.</param>
    /// <param name="value">The next occurrence's value.</param>
    public static string JoinRepeated(string? found, string value) =>
        found is null || found.Length == 0 ? value : value.Length == 0 ? found : string.Concat(found, ",", value);
}
