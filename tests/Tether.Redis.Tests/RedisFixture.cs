namespace Tether.Redis.Tests;

/// <summary>
/// One redis-server per test class that uses it (<c>IClassFixture&lt;RedisFixture&gt;</c>). Tests in the class share it
/// through unique key prefixes (<see cref="Cluster"/>); tests that kill Redis start their own.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServerFixture? _server;

    public RedisServerFixture Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _server = await RedisServerFixture.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
