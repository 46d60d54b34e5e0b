using Xunit.Abstractions;

namespace Tether.Packaging.Tests;

/// <summary>
/// The packages as a user gets them: a fresh project restores Tether.Server, Tether.Client and Tether.Redis from the
/// feed, the tool installs with <c>dotnet tool install --tool-path</c>, and messages echo both ways between them: the
/// installed <c>tether serve</c> answers the fresh project's client, and the fresh project's server answers the
/// installed <c>tether connect</c>.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageInstallTests(PackageFeed feed, ITestOutputHelper output)
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_fresh_project_on_the_packages_and_the_installed_tool_echo_through_each_other()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string app = await CreateFreshProjectAsync();
        TimeSpan restoreAndBuild = clock.Elapsed;
        string tools = Path.Combine(feed.Root, "tools");
        await ChildProcess.RunDotnetAsync(
            output, feed.Root, feed.Environment, s_commandTimeout,
            "tool", "install", PackageFeed.ToolId, "--version", feed.Version, "--tool-path", tools, "--configfile", feed.NuGetConfig);
        TimeSpan toolInstall = clock.Elapsed - restoreAndBuild;
        output.WriteLine($"pack {feed.PackTime.TotalSeconds:0.0} s, fresh project restore and build {restoreAndBuild.TotalSeconds:0.0} s, tool install {toolInstall.TotalSeconds:0.0} s");
        string tether = Path.Combine(tools, "tether");
        string appDll = Path.Combine(app, "bin", "Debug", "net10.0", "FreshApp.dll");

        // The installed tool serves; the fresh project's Tether.Client echoes through it.
        await using (var serve = ChildProcess.Start(output, tether, ["serve", "--urls", "http://127.0.0.1:0"], feed.Root, feed.Environment))
        {
            Uri server = await serve.WaitForAddressAsync();
            await using var client = ChildProcess.Start(output, ChildProcess.DotnetHost, ["exec", appDll, "client", new Uri(server, "echo").ToString()], app, feed.Environment);
            Assert.True(0 == await client.WaitForExitAsync(), client.Transcript());
            Assert.Contains("echo: hello from the package client", client.Transcript(), StringComparison.Ordinal);
        }

        // The fresh project's Tether.Server serves; the installed tether connect echoes through it.
        await using var host = ChildProcess.Start(output, ChildProcess.DotnetHost, ["exec", appDll, "server", "--urls", "http://127.0.0.1:0"], app, feed.Environment);
        Uri url = await host.WaitForAddressAsync();
        await using var connect = ChildProcess.Start(output, tether, ["connect", new Uri(url, "echo").ToString()], feed.Root, feed.Environment);
        await connect.WaitForLineAsync(l => l.Contains(" state Connecting -> Connected", StringComparison.Ordinal)).DefaultTimeout();
        await connect.WriteLineAsync("hello from the installed tool");
        await connect.WaitForLineAsync(l => l.EndsWith(" received: hello from the installed tool", StringComparison.Ordinal)).DefaultTimeout();
        connect.CloseInput();
        Assert.Equal(0, await connect.WaitForExitAsync());
    }

    /// <summary>Writes, restores and builds a project that references the packages by version, from the feed only.</summary>
    private async Task<string> CreateFreshProjectAsync()
    {
        string app = Path.Combine(feed.Root, "FreshApp");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "FreshApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Tether.Server" Version="{feed.Version}" />
                <PackageReference Include="Tether.Client" Version="{feed.Version}" />
                <PackageReference Include="Tether.Redis" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), FreshAppSource);
        await ChildProcess.RunDotnetAsync(output, app, feed.Environment, s_commandTimeout, "build", "--configfile", feed.NuGetConfig, "-nodeReuse:false");
        return app;
    }

    /// <summary>
    /// <c>client URL</c>: sends one message and prints its echo. <c>server --urls URL</c>: hosts /echo until standard
    /// input ends. <c>--redis</c> would scale out, and is here so the Redis package's API is compiled against.
    /// </summary>
    private const string FreshAppSource = """
        using Tether.Client;
        using Tether.Redis;
        using Tether.Server;

        if (args[0] == "client")
        {
            await using var connection = new Connection(args[1]);
            var echoed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Received += data => echoed.TrySetResult(data);
            await connection.StartAsync();
            await connection.SendAsync("hello from the package client");
            Console.WriteLine("echo: " + await echoed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            await connection.StopAsync();
            return 0;
        }

        var builder = WebApplication.CreateBuilder(args[1..]);
        var persistentConnections = builder.Services.AddPersistentConnections();
        if (builder.Configuration["redis"] is { } redis)
        {
            persistentConnections.AddRedis(redis);
        }

        var app = builder.Build();
        app.MapPersistentConnection<EchoConnection>("/echo");
        await app.StartAsync();
        Console.WriteLine("Listening on " + app.Urls.First());
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;

        public sealed class EchoConnection : PersistentConnection
        {
            protected override Task OnReceived(IRequest request, string connectionId, string? data) =>
                Connection.Send(connectionId, data);
        }
        """;
}
