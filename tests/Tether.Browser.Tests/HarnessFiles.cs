using System.Reflection;

namespace Tether.Browser.Tests;

/// <summary>Where the page, the harness script and the official client files are on disk.</summary>
internal static class HarnessFiles
{
    /// <summary>This project's node_modules, filled by <c>npm ci</c> from package-lock.json.</summary>
    public static string NodeModules { get; } = typeof(HarnessFiles).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NodeModulesDirectory").Value!;

    /// <summary>jQuery 3.7.1, the version the captures in shared/captures used.</summary>
    public static string JQuery => Path.Combine(NodeModules, "jquery", "dist", "jquery.js");

    /// <summary>The official classic SignalR jQuery client 2.4.3.</summary>
    public static string SignalR => Path.Combine(NodeModules, "signalr", "jquery.signalR.js");

    public static string WebRoot { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static void EnsurePresent()
    {
        foreach (string file in new[] { JQuery, SignalR })
        {
            if (!File.Exists(file))
            {
                string folder = Path.GetDirectoryName(NodeModules)!;
                throw new InvalidOperationException(
                    $"The official JS client is missing ({file}). Run `npm ci` in {folder} (tests/Tether.Browser.Tests) before these tests.");
            }
        }

        foreach (string file in new[] { "index.html", "harness-core.js", "harness.js", "hub.html", "hub-manual.html", "hub-harness.js" })
        {
            if (!File.Exists(Path.Combine(WebRoot, file)))
            {
                throw new InvalidOperationException($"The harness file {file} was not copied to {WebRoot}; rebuild the test project.");
            }
        }
    }
}
