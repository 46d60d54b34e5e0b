using Xunit.Abstractions;
using Xunit.Sdk;

namespace Tether.Packaging.Tests;

/// <summary>
/// Packs every shipped project once into a folder of its own under the temp directory, with a version no other run
/// used, so nothing restored from a package cache can stand in for what was just packed. Restores and tool installs
/// made from it use a package folder inside the same directory, with the machine's package cache as a read-only
/// fallback for the dependencies, and a NuGet.config that takes every Tether package from this feed alone.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    /// <summary>The package ids of the libraries, and of the tool.</summary>
    public static readonly string[] LibraryIds = ["Tether.Protocol", "Tether.Client", "Tether.Server", "Tether.Redis"];

    /// <summary>The package id of the <c>tether</c> tool.</summary>
    public const string ToolId = "Tether.Cli";

    private static readonly string[] s_projects = [.. LibraryIds, ToolId];

    private readonly IMessageSink _diagnostics;

    public PackageFeed(IMessageSink diagnostics) => _diagnostics = diagnostics;

    /// <summary>The temp directory that holds everything these tests write.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "tether-packaging-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The version every package was packed with.</summary>
    public string Version { get; } = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{System.Environment.ProcessId}";

    /// <summary>Where the .nupkg and .snupkg files are.</summary>
    public string FeedDirectory => Path.Combine(Root, "feed");

    /// <summary>The NuGet.config for restores and tool installs from the feed.</summary>
    public string NuGetConfig => Path.Combine(Root, "NuGet.config");

    /// <summary>The environment for dotnet commands that restore from the feed.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"),
        ["DOTNET_ROOT"] = Path.GetDirectoryName(ChildProcess.DotnetHost) is { Length: > 0 } root ? root : "/usr/share/dotnet",
    };

    /// <summary>How long packing took.</summary>
    public TimeSpan PackTime { get; private set; }

    /// <summary>The path of a package file of this run.</summary>
    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(FeedDirectory, $"{id}.{Version}.{extension}");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(FeedDirectory);
        var log = new DiagnosticsOutput(_diagnostics);
        string solution = Path.Combine(Root, "packages.slnx");
        await File.WriteAllTextAsync(solution, "<Solution>\n" + string.Concat(s_projects.Select(p =>
            $"  <Project Path=\"{RepositoryRoot.Combine("src", p, p + ".csproj")}\" />\n")) + "</Solution>\n");
        await File.WriteAllTextAsync(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" />
              </config>
              <fallbackPackageFolders>
                <add key="machine" value="{MachinePackageFolder()}" />
              </fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="tether-test-feed" value="{FeedDirectory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="tether-test-feed">
                  <package pattern="Tether.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await ChildProcess.RunDotnetAsync(
            log, RepositoryRoot.Path, new Dictionary<string, string>(), TimeSpan.FromMinutes(4),
            "pack", solution, "-c", RepositoryRoot.BuildConfiguration, "-o", FeedDirectory, $"-p:PackageVersion={Version}", "--no-restore", "-nodeReuse:false");
        PackTime = started.Elapsed;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    private static string MachinePackageFolder() =>
        System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Sends the output of the fixture's commands to xunit's diagnostic messages.</summary>
    private sealed class DiagnosticsOutput(IMessageSink sink) : ITestOutputHelper
    {
        public void WriteLine(string message) => sink.OnMessage(new DiagnosticMessage(message));

        public void WriteLine(string format, params object[] args) => sink.OnMessage(new DiagnosticMessage(format, args));
    }
}

/// <summary>The tests that share one <see cref="PackageFeed"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packages";
}
