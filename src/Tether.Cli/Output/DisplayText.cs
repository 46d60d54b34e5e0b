using System.Globalization;
using System.Text;

namespace Tether.Cli.Output;

/// <summary>Makes untrusted text (client data, query values) safe to show on one terminal line.</summary>
internal static class DisplayText
{
    /// <summary>How many characters of a message are shown before it is cut.</summary>
    public const int DefaultMaxLength = 200;

    /// <summary>
    /// Escapes control characters (<c>\n</c>, <c>\t</c>, <c>\u001b</c>...) so the text stays on one line and cannot
    /// drive the terminal, and cuts it after <paramref name="maxLength"/> characters, saying how long it was.
    /// </summary>
    /// <param name="text">The text; <see langword="null"/> shows as <c>(null)</c>.</param>
    /// <param name="maxLength">The most characters of <paramref name="text"/> to show.</param>
    /// <returns>The text to show.</returns>
    public static string OneLine(string? text, int maxLength = DefaultMaxLength)
    {
        if (text is null)
        {
            return "(null)";
        }

        int shown = Math.Min(text.Length, maxLength);
        var builder = new StringBuilder(shown + 32);
        for (int i = 0; i < shown; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c) || c is '\u2028' or '\u2029')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        if (shown < text.Length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"... ({text.Length} chars)");
        }

        return builder.ToString();
    }
}
