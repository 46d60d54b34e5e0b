using System.Text.RegularExpressions;

namespace Tether.Server.Internal;

/// <summary>Validates JSONP callback names: dotted JavaScript identifiers that are not reserved words (PROTOCOL.md P17).</summary>
internal static partial class JsonpCallback
{
    private static readonly HashSet<string> s_reserved = new(StringComparer.Ordinal)
    {
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
        "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof",
        "interface", "let", "new", "null", "package", "private", "protected", "public", "return", "static", "super",
        "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
    };

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

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
