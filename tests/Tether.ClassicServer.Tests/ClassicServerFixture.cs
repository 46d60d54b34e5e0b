namespace Tether.ClassicServer.Tests;

/// <summary>
/// One classic server (Mono) per test class: a Mono start costs a second or two of CPU, so the tests of a class share
/// it. xunit runs a class's tests one after another, so no two tests of a class see each other's broadcasts.
/// </summary>
public sealed class ClassicServerFixture : IAsyncLifetime
{
    private ClassicServerProcess? _server;

    public ClassicServerProcess Server => _server ?? throw new InvalidOperationException("The classic server has not started.");

    public async Task InitializeAsync() => _server = await ClassicServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
