using System.Diagnostics;
using Microsoft.Playwright;
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
    private IBrowserContext? _context;

    protected Stopwatch Clock { get; } = Stopwatch.StartNew();

    protected ITestOutputHelper Output { get; } = output;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    protected async Task<BrowserTestServer> StartServerAsync(Action<PersistentConnectionOptions>? configure = null)
    {
        var server = await BrowserTestServer.StartAsync(Clock, configure);
        _servers.Add(server);
        return server;
    }

    protected async Task<HarnessPage> OpenPageAsync(BrowserTestServer server, string name = "page")
    {
        var page = await HarnessPage.OpenAsync(_context!, server, Clock, name);
        _pages.Add(page);
        return page;
    }

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

        foreach (var server in _servers)
        {
            Output.WriteLine($"--- requests seen by {server.Server.BaseUri}");
            foreach (var request in server.Requests.Snapshot().OrderBy(r => r.StartMs))
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

            await server.DisposeAsync();
        }
    }
}
