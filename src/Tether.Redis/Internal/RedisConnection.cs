using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Tether.Redis.Internal;

/// <summary>
/// The node's one StackExchange.Redis multiplexer, shared by the message bus and the Data Protection key store,
/// created on first use, or the application's own when it gives one to <c>AddRedis</c> (then never disposed here).
/// </summary>
/// <remarks>
/// The connection never aborts on a failed connect: the node starts while Redis is down and StackExchange.Redis keeps
/// reconnecting in the background. Commands fail fast while it is disconnected (no backlog), which is what makes
/// <see cref="RedisMessageBus.PublishAsync"/> fail fast.
/// </remarks>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisBackplaneOptions _options;
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer;
    private readonly bool _owned;
    private int _disposed;

    public RedisConnection(IOptions<RedisBackplaneOptions> options, IServiceProvider services, ExternalMultiplexer? external = null)
    {
        _options = options.Value;
        _owned = external is null;
        _multiplexer = new Lazy<Task<IConnectionMultiplexer>>(
            external is null ? ConnectAsync : () => Task.FromResult(external.Resolve(services)),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The options.</summary>
    public RedisBackplaneOptions Options => _options;

    /// <summary>Builds the StackExchange.Redis options from <see cref="RedisBackplaneOptions"/>.</summary>
    /// <param name="options">The backplane options.</param>
    /// <returns>The client options.</returns>
    public static ConfigurationOptions BuildConfiguration(RedisBackplaneOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "tether";
        options.ConfigureRedis?.Invoke(configuration);
        return configuration;
    }

    /// <summary>The multiplexer, connecting on first use (it may not be connected yet: it keeps trying).</summary>
    /// <returns>The multiplexer.</returns>
    public Task<IConnectionMultiplexer> GetAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _multiplexer.Value;
    }

    /// <summary>The database of the keys, connecting synchronously on first use (Data Protection's key store is synchronous).</summary>
    /// <returns>The database.</returns>
    public IDatabase GetDatabase() => GetAsync().GetAwaiter().GetResult().GetDatabase(_options.Database);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_multiplexer.IsValueCreated || !_owned)
        {
            return;
        }

        try
        {
            IConnectionMultiplexer multiplexer = await _multiplexer.Value.ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // The connection never came up: nothing to close.
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<IConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(BuildConfiguration(_options)).ConfigureAwait(false);
}
