using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Hubs;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>A classic hub source file, with only the namespace prefix swapped, compiles against Tether.Server and is served.</summary>
public sealed class HubClassicSourceTests
{
    private static readonly Lazy<Assembly> s_classicApp = new(Compile);

    [Fact]
    public void The_classic_source_compiles_with_only_the_namespace_prefix_swapped()
    {
        var types = s_classicApp.Value.GetTypes();
        Assert.Contains(types, t => t.Name == "ChatHub" && typeof(IHub).IsAssignableFrom(t));
        Assert.Contains(types, t => t.Name == "StockTickerHub" && typeof(IHub).IsAssignableFrom(t));
    }

    [Fact]
    public async Task The_compiled_hubs_are_served_with_their_attributes_state_progress_and_pipeline_module()
    {
        var hubs = s_classicApp.Value.GetTypes().Where(t => typeof(IHub).IsAssignableFrom(t)).ToArray();
        var module = (HubPipelineModule)Activator.CreateInstance(s_classicApp.Value.GetType("ClassicApp.LoggingPipelineModule")!)!;
        await using var server = await HubTestServer.StartAsync(services: s =>
        {
            s.AddHubs(hubs);
            s.AddSingleton(module);
        });
        using var client = new HubWireClient(server, """[{"name":"classicchat"}]""");
        await client.ConnectLongPollingAsync();

        Assert.Equal("""{"S":{"room":"lobby"},"I":"0"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"H":"classicchat","M":"joinRoom","A":["lobby"],"I":0}""")).Body);
        Assert.Equal("""{"I":"1"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"H":"classicchat","M":"Send","A":["hi"],"I":1,"S":{"name":"ann"}}""")).Body);
        Assert.Equal(
            """{"I":"2","H":true,"E":"Negative values are not allowed.","D":{"value":-1}}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"H":"classicchat","M":"Validate","A":[-1],"I":2}""")).Body);
        Assert.Contains("""{"H":"classicChat","M":"addMessage","A":["ann","hi"]}""", await client.PollUntilAsync(m => m.Any(x => x.Contains("addMessage", StringComparison.Ordinal))));

        var log = (IList)s_classicApp.Value.GetType("ClassicApp.LoggingPipelineModule")!.GetField("Log")!.GetValue(null)!;
        lock (log)
        {
            Assert.Equal(["=> joinRoom", "=> Send", "=> Validate", "!! Negative values are not allowed."], log.Cast<string>());
        }

        using var http = new HttpClient { BaseAddress = server.BaseUri };
        string script = await http.GetStringAsync("/signalr/hubs").DefaultTimeout();
        Assert.Contains("""proxies["classicChat"]""", script, StringComparison.Ordinal);
        Assert.Contains("""proxies["stockTickerHub"]""", script, StringComparison.Ordinal);
        Assert.Contains("\"joinRoom\": function (p0)", script, StringComparison.Ordinal);
    }

    private static Assembly Compile()
    {
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Hubs", "ClassicHub.cs.txt"))
            .Replace("Microsoft.AspNet.SignalR", "Tether.Server", StringComparison.Ordinal);
        string self = typeof(HubClassicSourceTests).Assembly.Location;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => !string.Equals(path, self, StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "ClassicApp",
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(stream.ToArray());
    }
}
