using System.Reflection;

namespace Tether.Packaging.Tests;

/// <summary>Where the repository's files are, found from the test assembly's folder.</summary>
internal static class RepositoryRoot
{
    /// <summary>The folder that holds <c>Tether.slnx</c>.</summary>
    public static string Path { get; } = Find();

    /// <summary>The configuration these tests were built in (Debug or Release); the packages are packed in the same.</summary>
    public static string BuildConfiguration { get; } = typeof(RepositoryRoot).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "BuildConfiguration").Value!;

    /// <summary>A path inside the repository.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Tether.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Tether.slnx above {AppContext.BaseDirectory}.");
    }
}
