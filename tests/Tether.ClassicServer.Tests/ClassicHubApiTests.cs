using System.Reflection;
using Tether.Shared;

namespace Tether.ClassicServer.Tests;

/// <summary>
/// Source compatibility with the classic hub client: ClassicHubSample.cs is compiled into this project against
/// Tether.Client, and compiled again here, with the namespace put back, against the official
/// Microsoft.AspNet.SignalR.Client 2.4.2. Both builds run against the classic server's chat hub, and what they log
/// (states, received text, results, progress, state, client calls, the hub error) must be the same.
/// </summary>
public sealed class ClassicHubApiTests(ClassicServerFixture fixture) : IClassFixture<ClassicServerFixture>
{
    private static readonly Lazy<Assembly> s_officialBuild = new(() => OfficialBuild.Compile("ClassicHubSample.cs", typeof(ClassicHubApiTests).Assembly));

    [Fact]
    public void TheSampleIsClassicCode_ItCompilesAgainstTheOfficialClient() =>
        Assert.NotNull(s_officialBuild.Value.GetType("ClassicHubSample.ChatSample"));

    [Theory]
    [MemberData(nameof(TetherTransport.AllAndAuto), MemberType = typeof(TetherTransport))]
    public async Task SideBySide_SameObservableBehaviourAsTheOfficialClient(string transport)
    {
        var official = s_officialBuild.Value.GetType("ClassicHubSample.ChatSample")!.GetMethod("RunAsync")!
            .CreateDelegate<Func<string, string, TextWriter, Task<List<string>>>>();
        var (officialLog, officialCalls) = await Run(official, transport);
        var (tetherLog, tetherCalls) = await Run(ClassicHubSample.ChatSample.RunAsync, transport);

        Assert.Equal(["peer: hi"], officialCalls);
        Assert.Equal(officialCalls, tetherCalls);
        Assert.Equal(officialLog.Where(line => !IsError(line)), tetherLog.Where(line => !IsError(line)));
        Assert.DoesNotContain(tetherLog, IsError);
        Assert.Contains("counted 3 with progress 1,2,3", tetherLog);
        Assert.Contains("hello alice #1, visits 1, name alice", tetherLog);
        Assert.Contains("hub error boom, with data: True", tetherLog);
    }

    private static bool IsError(string line) => line.StartsWith("error ", StringComparison.Ordinal);

    private async Task<(string[] Log, List<string> Calls)> Run(Func<string, string, TextWriter, Task<List<string>>> sample, string transport)
    {
        var log = new StringWriter();
        List<string> calls = await sample(fixture.Server.BaseUri.ToString(), transport, TextWriter.Synchronized(log)).DefaultTimeout();
        return (log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), calls);
    }
}
