namespace Tether.ClassicServer.Tests;

/// <summary>
/// A classic server with short timeouts, for the fault tests: KeepAlive 2 s (so KeepAliveTimeout 4 s: ConnectionSlow
/// after 2.7 s of silence, reconnect after 4 s) and DisconnectTimeout 6 s (the least SignalR accepts).
/// </summary>
public sealed class ShortTimeoutsClassicServerFixture : IAsyncLifetime
{
    public static readonly ClassicServerOptions Options = new()
    {
        KeepAlive = TimeSpan.FromSeconds(2),
        DisconnectTimeout = TimeSpan.FromSeconds(6),
    };

    private ClassicServerProcess? _server;

    public ClassicServerProcess Server => _server ?? throw new InvalidOperationException("The classic server has not started.");

    public async Task InitializeAsync() => _server = await ClassicServerProcess.StartAsync(Options);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
