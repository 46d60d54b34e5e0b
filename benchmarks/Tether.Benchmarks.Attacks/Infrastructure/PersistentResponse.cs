using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>What an attacker reads from a persistent response: the cursor and the messages.</summary>
internal sealed record PersistentResponse(string? Cursor, int MessageCount, string? LastMessage)
{
    /// <summary>Parses a JSON persistent response (leading keep-alive spaces allowed); throws when it is not JSON.</summary>
    public static PersistentResponse Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        string? cursor = root.TryGetProperty("C", out var c) ? c.GetString() : null;
        int count = 0;
        string? last = null;
        if (root.TryGetProperty("M", out var messages))
        {
            count = messages.GetArrayLength();
            last = count == 0 ? null : messages[count - 1].ValueKind == JsonValueKind.String ? messages[count - 1].GetString() : messages[count - 1].GetRawText();
        }

        return new PersistentResponse(cursor, count, last);
    }

    /// <summary>Whether <paramref name="json"/> parses as one JSON value.</summary>
    public static bool IsJson(byte[] json)
    {
        try
        {
            Parse(json);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>Cursor forgery as in the issue: the keys come from the client's own cursor, every id is set to 0.</summary>
internal static partial class ForgedCursor
{
    public static string FromOwn(string cursor) => Ids().Replace(cursor, ",0");

    [GeneratedRegex(",[0-9A-F]+")]
    private static partial Regex Ids();
}
