using System.Text.RegularExpressions;

namespace Tether.Server.Internal;

/// <summary>Validates JSONP callback names: dotted JavaScript identifiers that are not reserved words.</summary>
internal static partial class JsonpCallback
{
    private static readonly HashSet<string> s_reserved = new(StringComparer.Ordinal)
    {
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
        "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof",
        "interface", "let", "new", "null", "package", "private", "protected", "public", "return", "static", "super",
        "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
    };

    /// <summary>Whether <paramref name="callback"/> may be written before <c>(</c> in a JSONP answer.</summary>
    /// <remarks>The pattern ends with <c>\z</c>, not <c>$</c>, which would also accept a trailing line feed.</remarks>
    public static bool IsValid(string callback)
    {
        if (callback.Length is 0 or > 256 || !Identifier().IsMatch(callback))
        {
            return false;
        }

        foreach (var part in callback.Split('.'))
        {
            if (s_reserved.Contains(part))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
