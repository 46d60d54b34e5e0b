using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Tether.Client.Internal;

/// <summary>
/// Turns one raw JSON message into the text the classic .NET client hands to <c>Received</c>: Json.NET's
/// <c>JToken.ToString()</c> of the parsed value (docs/protocol.md#received-values).
/// </summary>
/// <remarks>
/// A string arrives unquoted; an integer as its digits; a floating-point number as <c>double.ToString()</c> in the
/// current culture (<c>1.0</c> gives <c>1</c>); <c>true</c>/<c>false</c> as <c>True</c>/<c>False</c>; <c>null</c> as
/// an empty string. Objects and arrays arrive as indented JSON: two spaces, the platform newline, <c>"name": value</c>,
/// floats inside them written as Json.NET writes doubles (<c>1.0</c>, <c>2.5</c>, <c>1E+300</c>) and strings escaped as
/// Json.NET escapes them. Not copied on purpose: Json.NET turned date-like strings into <c>DateTime</c> values, so a
/// top-level ISO date string arrived reformatted in the current culture; here every string arrives as sent.
/// </remarks>
internal static class ClassicJsonText
{
    private static readonly string s_newLine = Environment.NewLine;

    /// <summary>The same from the message's UTF-8 bytes: a string without escapes is decoded straight from them.</summary>
    public static string ToReceivedText(ReadOnlyMemory<byte> rawJson)
    {
        ReadOnlySpan<byte> span = rawJson.Span;
        if (span.Length >= 2 && span[0] == (byte)'"' && span.IndexOf((byte)'\\') < 0)
        {
            return Utf8(rawJson.Slice(1, rawJson.Length - 2));
        }

        return ToReceivedText(Utf8(rawJson));
    }

    /// <summary>Decodes UTF-8 (from the array behind the memory: netstandard2.0 has no span overload).</summary>
    public static string Utf8(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment)
            ? Encoding.UTF8.GetString(segment.Array!, segment.Offset, segment.Count)
            : Encoding.UTF8.GetString(bytes.ToArray());

    public static string ToReceivedText(string rawJson)
    {
        if (rawJson.Length > 0 && rawJson[0] == '"')
        {
            // Fast path: the common case of a string message.
            if (rawJson.IndexOf('\\') < 0)
            {
                return rawJson.Substring(1, rawJson.Length - 2);
            }
        }

        using JsonDocument document = JsonDocument.Parse(rawJson);
        JsonElement element = document.RootElement;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString() ?? string.Empty;
            case JsonValueKind.Number:
                return TopLevelNumber(element.GetRawText());
            case JsonValueKind.True:
                return "True";
            case JsonValueKind.False:
                return "False";
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return string.Empty;
            default:
                var sb = new StringBuilder(rawJson.Length * 2);
                WriteIndented(sb, element, 0);
                return sb.ToString();
        }
    }

    private static bool IsInteger(string raw) => raw.IndexOf('.') < 0 && raw.IndexOf('e') < 0 && raw.IndexOf('E') < 0;

    private static string TopLevelNumber(string raw)
    {
        if (IsInteger(raw))
        {
            return raw == "-0" ? "0" : raw;
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value.ToString(CultureInfo.CurrentCulture)
            : raw;
    }

    private static string NestedNumber(string raw)
    {
        if (IsInteger(raw))
        {
            return raw == "-0" ? "0" : raw;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsInfinity(value))
        {
            return raw;
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOf('.') >= 0 || text.IndexOf('E') >= 0 || text.IndexOf('e') >= 0 ? text : text + ".0";
    }

    private static void WriteIndented(StringBuilder sb, JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
            {
                bool any = false;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    sb.Append(any ? "," : "{").Append(s_newLine);
                    Indent(sb, depth + 1);
                    WriteString(sb, property.Name);
                    sb.Append(": ");
                    WriteIndented(sb, property.Value, depth + 1);
                    any = true;
                }

                if (any)
                {
                    sb.Append(s_newLine);
                    Indent(sb, depth);
                    sb.Append('}');
                }
                else
                {
                    sb.Append("{}");
                }

                break;
            }

            case JsonValueKind.Array:
            {
                bool any = false;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    sb.Append(any ? "," : "[").Append(s_newLine);
                    Indent(sb, depth + 1);
                    WriteIndented(sb, item, depth + 1);
                    any = true;
                }

                if (any)
                {
                    sb.Append(s_newLine);
                    Indent(sb, depth);
                    sb.Append(']');
                }
                else
                {
                    sb.Append("[]");
                }

                break;
            }

            case JsonValueKind.String:
                WriteString(sb, element.GetString() ?? string.Empty);
                break;
            case JsonValueKind.Number:
                sb.Append(NestedNumber(element.GetRawText()));
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            default:
                sb.Append("null");
                break;
        }
    }

    private static void Indent(StringBuilder sb, int depth) => sb.Append(' ', depth * 2);

    /// <summary>Json.NET's default escaping: quotes, backslash and control characters, plus U+0085, U+2028 and U+2029.</summary>
    private static void WriteString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    if (c < ' ' || c == '\u0085' || c == '\u2028' || c == '\u2029')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
