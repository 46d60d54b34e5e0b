using System.Diagnostics;

namespace Tether.Browser.Tests.Hubs;

/// <summary>One <see cref="BrowserTestServer"/> for all the tests of a hub test class.</summary>
public sealed class HubServerFixture : IAsyncLifetime
{
    private BrowserTestServer? _server;

    public BrowserTestServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    public async Task InitializeAsync() => _server = await BrowserTestServer.StartAsync(Stopwatch.StartNew());

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
