// Shared by Tether.ClassicServer.Tests and Tether.Client.Tests (linked into the latter).
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Tether.Shared;

/// <summary>Compiles a classic-client sample (a source file copied next to the tests) against the official client, with the namespace prefix put back.</summary>
public static class OfficialBuild
{
    /// <summary>Compiles <paramref name="sampleFile"/> with <c>Tether.Client</c> replaced by <c>Microsoft.AspNet.SignalR.Client</c>; fails the test with the compiler's errors.</summary>
    /// <param name="sampleFile">The file's name in the test output folder.</param>
    /// <param name="testAssembly">The test assembly, left out of the references (it has the Tether build of the sample).</param>
    public static Assembly Compile(string sampleFile, Assembly testAssembly)
    {
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, sampleFile))
            .Replace("Tether.Client", "Microsoft.AspNet.SignalR.Client", StringComparison.Ordinal);
        string self = testAssembly.Location;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => !string.Equals(path, self, StringComparison.Ordinal) && !path.EndsWith("Tether.Client.dll", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            Path.GetFileNameWithoutExtension(sampleFile) + ".Official",
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(stream.ToArray());
    }
}
