using System.Text.RegularExpressions;

namespace Tether.Packaging.Tests;

/// <summary>Every link of the documentation, and every pointer of the code into docs/protocol.md, resolves in the repository.</summary>
public sealed partial class DocumentationLinkTests
{
    /// <summary>The protocol description that lives outside the repository (spelled in two parts so this file does not match).</summary>
    private const string OutsideNotes = "PROTOCOL" + ".md";

    public static TheoryData<string> MarkdownFiles
    {
        get
        {
            var files = new TheoryData<string>();
            foreach (string file in new[] { "README.md" }
                .Concat(Directory.EnumerateFiles(RepositoryRoot.Combine("docs"), "*.md").Select(Relative))
                .Concat(Directory.EnumerateFiles(RepositoryRoot.Combine("samples"), "README.md", SearchOption.AllDirectories).Select(Relative).Where(NotBuildOutput)))
            {
                files.Add(file);
            }

            return files;
        }
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Every_relative_link_points_at_an_existing_file_and_heading(string file)
    {
        string path = RepositoryRoot.Combine(file);
        var broken = new List<string>();
        foreach (string link in MarkdownAnchors.RelativeLinks(File.ReadAllText(path)))
        {
            string[] parts = link.Split('#', 2);
            string target = parts[0].Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(parts[0])));
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                broken.Add(link + " (no such file)");
            }
            else if (parts.Length == 2 && !MarkdownAnchors.Of(File.ReadAllText(target)).Contains(parts[1]))
            {
                broken.Add(link + " (no such heading)");
            }
        }

        Assert.True(broken.Count == 0, $"{file} has broken links:\n{string.Join('\n', broken)}");
    }

    [Fact]
    public void Every_docs_protocol_reference_in_the_code_names_an_existing_heading_and_none_points_outside_the_repository()
    {
        var anchors = MarkdownAnchors.Of(File.ReadAllText(RepositoryRoot.Combine("docs", "protocol.md")));
        var broken = new List<string>();
        int references = 0;
        foreach (string file in SourceFiles())
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string where = $"{Relative(file)}:{i + 1}";
                if (lines[i].Contains(OutsideNotes, StringComparison.Ordinal))
                {
                    broken.Add($"{where}: {OutsideNotes} is not in the repository; point at a heading of docs/protocol.md");
                }

                foreach (Match reference in ProtocolReference().Matches(lines[i]))
                {
                    foreach (Capture anchor in reference.Groups["anchor"].Captures)
                    {
                        references++;
                        if (!anchors.Contains(anchor.Value))
                        {
                            broken.Add($"{where}: docs/protocol.md has no heading #{anchor.Value}");
                        }
                    }
                }
            }
        }

        Assert.True(broken.Count == 0, string.Join('\n', broken));
        Assert.True(references > 20, $"Only {references} references to docs/protocol.md were found: is the pattern still right?");
    }

    private static IEnumerable<string> SourceFiles() =>
        new[] { "src", "tests", "samples", "benchmarks" }
            .Select(d => RepositoryRoot.Combine(d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => NotBuildOutput(Relative(f)));

    private static bool NotBuildOutput(string relative) =>
        !relative.Split('/').Any(part => part is "bin" or "obj" or "node_modules");

    private static string Relative(string path) => Path.GetRelativePath(RepositoryRoot.Path, path).Replace('\\', '/');

    /// <summary>A reference to a heading of the protocol notes, and the anchors listed after it (comma- or "and"-separated).</summary>
    [GeneratedRegex(@"docs/protocol\.md#(?<anchor>[a-z0-9_-]+)(?:(?:,\s*|\s+and\s+)#(?<anchor>[a-z0-9_-]+))*")]
    private static partial Regex ProtocolReference();
}
