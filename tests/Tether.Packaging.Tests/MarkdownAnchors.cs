using System.Text;
using System.Text.RegularExpressions;

namespace Tether.Packaging.Tests;

/// <summary>The anchors GitHub gives a Markdown file's headings, and the relative links the file makes.</summary>
internal static partial class MarkdownAnchors
{
    /// <summary>The anchors of every heading in <paramref name="markdown"/>, outside code blocks.</summary>
    public static HashSet<string> Of(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in OutsideCodeBlocks(markdown))
        {
            var heading = Heading().Match(line);
            if (!heading.Success)
            {
                continue;
            }

            string slug = Slug(heading.Groups[1].Value);
            string unique = slug;
            for (int n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    /// <summary>The targets of the Markdown links (<c>[text](target)</c>) that are not absolute URLs.</summary>
    public static IEnumerable<string> RelativeLinks(string markdown) =>
        OutsideCodeBlocks(markdown)
            .SelectMany(line => Link().Matches(line).Select(m => m.Groups[1].Value))
            .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal));

    /// <summary>GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens.</summary>
    public static string Slug(string heading)
    {
        var slug = new StringBuilder();
        foreach (char c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static IEnumerable<string> OutsideCodeBlocks(string markdown)
    {
        bool inCode = false;
        foreach (string line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }
            else if (!inCode)
            {
                yield return line;
            }
        }
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}
