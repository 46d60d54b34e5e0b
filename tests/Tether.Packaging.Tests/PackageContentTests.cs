using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Xml.Linq;

namespace Tether.Packaging.Tests;

/// <summary>What each package carries: metadata set once for all, its README, XML docs, symbols with SourceLink.</summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageContentTests(PackageFeed feed)
{
    private const string RepositoryUrl = "https://github.com/tether-dotnet/tether";

    /// <summary>The id SourceLink's JSON is stored under in a portable PDB.</summary>
    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    public static TheoryData<string> AllIds => new(PackageFeed.LibraryIds.Append(PackageFeed.ToolId));

    public static TheoryData<string> LibraryIds => new(PackageFeed.LibraryIds);

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Metadata_names_the_license_the_repository_the_readme_tags_and_release_notes(string id)
    {
        using var package = ZipFile.OpenRead(feed.PackagePath(id));
        var metadata = Nuspec(package, id);

        Assert.Equal(feed.Version, Value(metadata, "version"));
        var license = Element(metadata, "license");
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal(RepositoryUrl, Value(metadata, "projectUrl"));
        var repository = Element(metadata, "repository");
        Assert.Equal(("git", RepositoryUrl), ((string?)repository.Attribute("type"), (string?)repository.Attribute("url")));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit"));
        Assert.Contains("signalr", Value(metadata, "tags").Split(' '));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "releaseNotes")));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")));

        Assert.Equal("README.md", Value(metadata, "readme"));
        string readme = ReadText(package, "README.md");
        Assert.StartsWith(id == PackageFeed.ToolId ? "# tether" : "# " + id, readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LibraryIds))]
    public void Every_library_assembly_has_its_XML_docs_and_a_portable_PDB_with_SourceLink_in_the_symbols_package(string id)
    {
        using var package = ZipFile.OpenRead(feed.PackagePath(id));
        using var symbols = ZipFile.OpenRead(feed.PackagePath(id, "snupkg"));
        var assemblies = package.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.Contains(assemblies, e => e.FullName == $"lib/net10.0/{id}.dll");

        foreach (var assembly in assemblies)
        {
            string stem = assembly.FullName[..^".dll".Length];
            Assert.Contains("<member name=", ReadText(package, stem + ".xml"), StringComparison.Ordinal);

            using var pdb = new MemoryStream();
            using (var entry = (symbols.GetEntry(stem + ".pdb") ?? throw new Xunit.Sdk.XunitException($"{stem}.pdb is not in the symbols package.")).Open())
            {
                entry.CopyTo(pdb);
            }

            pdb.Position = 0;
            using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
            string sourceLink = SourceLinkJson(provider.GetMetadataReader());
            Assert.Contains($"\"https://raw.githubusercontent.com/tether-dotnet/tether/", sourceLink, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_tool_package_is_a_dotnet_tool_with_the_tether_command()
    {
        using var package = ZipFile.OpenRead(feed.PackagePath(PackageFeed.ToolId));
        var metadata = Nuspec(package, PackageFeed.ToolId);
        Assert.Contains(metadata.Element(metadata.Name.Namespace + "packageTypes")!.Elements(), t => (string?)t.Attribute("name") == "DotnetTool");

        var settings = XDocument.Parse(ReadText(package, "tools/net10.0/any/DotnetToolSettings.xml"));
        var command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal(("tether", "tether.dll"), ((string?)command.Attribute("Name"), (string?)command.Attribute("EntryPoint")));
    }

    private static XElement Nuspec(ZipArchive package, string id) =>
        XDocument.Parse(ReadText(package, id + ".nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");

    private static XElement Element(XElement metadata, string name) =>
        metadata.Element(metadata.Name.Namespace + name) ?? throw new Xunit.Sdk.XunitException($"The nuspec has no <{name}>.");

    private static string Value(XElement metadata, string name) => Element(metadata, name).Value;

    private static string ReadText(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path) ?? throw new Xunit.Sdk.XunitException($"{path} is not in the package.");
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string SourceLinkJson(MetadataReader reader)
    {
        foreach (var handle in reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == s_sourceLinkKind)
            {
                return Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value));
            }
        }

        throw new Xunit.Sdk.XunitException("The PDB has no SourceLink.");
    }
}
