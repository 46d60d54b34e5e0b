using System.Diagnostics;
using Microsoft.Playwright;
using Tether.Browser.Tests.Hubs;
using Tether.Server;
using Xunit.Abstractions;

namespace Tether.Browser.Tests;

/// <summary>
/// One browser per class (<see cref="ChromiumFixture"/>), and per test a fresh browser context, its own Kestrel test server
/// and, at the end, the page consoles and the server's request log in the test output.
/// </summary>
public abstract class BrowserTestBase(ChromiumFixture browser, ITestOutputHelper output) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private readonly List<HarnessPage> _pages = [];
    private readonly List<BrowserTestServer> _servers = [];
    private readonly List<(BrowserTestServer Server, long SinceMs)> _sharedServers = [];
    private IBrowserContext? _context;

    protected Stopwatch Clock { get; } = Stopwatch.StartNew();

    protected ITestOutputHelper Output { get; } = output;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    protected async Task<BrowserTestServer> StartServerAsync(Action<PersistentConnectionOptions>? configure = null, Action<HubOptions>? configureHubs = null)
    {
        var server = await BrowserTestServer.StartAsync(Clock, configure, configureHubs);
        _servers.Add(server);
        return server;
    }

    /// <summary>Uses a server that outlives the test (a class fixture's): its output shows what happened during this test.</summary>
    protected BrowserTestServer UseSharedServer(BrowserTestServer server)
    {
        _sharedServers.Add((server, server.Requests.NowMs));
        return server;
    }

    protected async Task<HarnessPage> OpenPageAsync(BrowserTestServer server, string name = "page", string file = "index.html")
    {
        var page = await HarnessPage.OpenAsync(_context!, server, Clock, name, file);
        _pages.Add(page);
        return page;
    }

    /// <summary>Opens <c>hub.html</c> (with the generated proxy) or <c>hub-manual.html</c> (without).</summary>
    protected async Task<HubPage> OpenHubPageAsync(BrowserTestServer server, bool generatedProxy, string name = "page") =>
        new(await OpenPageAsync(server, name, generatedProxy ? "hub.html" : "hub-manual.html"));

    /// <summary>Logs a step, so a failure's output shows how far the test got and when.</summary>
    protected void Step(string text) => Output.WriteLine($"{Clock.ElapsedMilliseconds,6} ms == {text}");

    public async Task DisposeAsync()
    {
        Step("test body done, cleaning up");
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        foreach (var page in _pages)
        {
            Output.WriteLine($"--- console of {page.Name}");
            foreach (string line in page.Console)
            {
                Output.WriteLine(line);
            }
        }

        foreach (var (server, sinceMs) in _sharedServers)
        {
            WriteServerOutput(server, sinceMs);
        }

        foreach (var server in _servers)
        {
            WriteServerOutput(server, sinceMs: 0);
            await server.DisposeAsync();
        }
    }

    private void WriteServerOutput(BrowserTestServer server, long sinceMs)
    {
        Output.WriteLine($"--- requests seen by {server.Server.BaseUri}");
        foreach (var request in server.Requests.Snapshot().Where(r => r.StartMs >= sinceMs || r.EndMs is null || r.EndMs >= sinceMs).OrderBy(r => r.StartMs))
        {
            Output.WriteLine(request.ToString());
        }

        Output.WriteLine("--- server warnings and errors");
        foreach (string line in server.Log.Snapshot())
        {
            Output.WriteLine(line);
        }

        Output.WriteLine("--- /events server events");
        foreach (var e in server.Events.Snapshot())
        {
            Output.WriteLine(e.ToString());
        }
    }
}
