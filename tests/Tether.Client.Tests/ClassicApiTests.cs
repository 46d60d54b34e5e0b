using System.Reflection;
using Tether.Shared;

namespace Tether.Client.Tests;

/// <summary>
/// Source compatibility with the classic client: ClassicSample.cs is compiled into this project against
/// Tether.Client, and compiled again here, with the namespace put back, against the official
/// Microsoft.AspNet.SignalR.Client 2.4.2. Both builds then run the same scenario against the same Tether.Server, and
/// what they observe (states, events, received text) must be the same.
/// </summary>
public sealed class ClassicApiTests : IAsyncLifetime
{
    private static readonly Lazy<Assembly> s_officialBuild = new(() => OfficialBuild.Compile("ClassicSample.cs", typeof(ClassicApiTests).Assembly));
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void TheSampleIsClassicCode_ItCompilesAgainstTheOfficialClient()
    {
        Assert.NotNull(s_officialBuild.Value.GetType("ClassicSample.EchoSample"));
    }

    [Theory]
    [MemberData(nameof(Transports.All), MemberType = typeof(Transports))]
    public async Task SideBySide_SameObservableBehaviourAsTheOfficialClient(string transport)
    {
        var (tetherLog, tetherReceived) = await Run(ClassicSample.EchoSample.RunAsync, transport);
        var official = (Func<string, string, TextWriter, TextWriter, Task<List<string>>>)s_officialBuild.Value
            .GetType("ClassicSample.EchoSample")!.GetMethod("RunAsync")!
            .CreateDelegate<Func<string, string, TextWriter, TextWriter, Task<List<string>>>>();
        var (officialLog, officialReceived) = await Run(official, transport);

        Assert.Equal(officialReceived, tetherReceived);

        // Error events are compared apart: the official client sometimes raises an Error while it stops (seen over long
        // polling, a poll it aborts itself), depending on timing. Tether.Client raises none in this scenario.
        Assert.Equal(officialLog.Where(line => !IsError(line)), tetherLog.Where(line => !IsError(line)));
        Assert.DoesNotContain(tetherLog, IsError);
        Assert.Contains($"connected with {Transports.Expected(transport)} (Connected)", tetherLog);
        Assert.Equal("closed", tetherLog[^2]);
    }

    private static bool IsError(string line) => line.StartsWith("error ", StringComparison.Ordinal);

    private async Task<(string[] Log, List<string> Received)> Run(Func<string, string, TextWriter, TextWriter, Task<List<string>>> sample, string transport)
    {
        var log = new StringWriter();
        List<string> received = await sample(_server.Url("/echo"), transport, TextWriter.Synchronized(log), TextWriter.Null).DefaultTimeout();
        return (log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), received);
    }
}
