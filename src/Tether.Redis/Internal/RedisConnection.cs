using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Tether.Redis.Internal;

/// <summary>
/// The node's one StackExchange.Redis multiplexer, shared by the message bus and the Data Protection key store,
/// created on first use.
/// </summary>
/// <remarks>
/// The connection never aborts on a failed connect: the node starts while Redis is down and StackExchange.Redis keeps
/// reconnecting in the background. Commands fail fast while it is disconnected (no backlog), which is what makes
/// <see cref="RedisMessageBus.PublishAsync"/> fail fast.
/// </remarks>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisBackplaneOptions _options;
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private int _disposed;

    public RedisConnection(IOptions<RedisBackplaneOptions> options)
    {
        _options = options.Value;
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);
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
    public Task<ConnectionMultiplexer> GetAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _multiplexer.Value;
    }

    /// <summary>The database of the keys, connecting synchronously on first use (Data Protection's key store is synchronous).</summary>
    /// <returns>The database.</returns>
    public IDatabase GetDatabase() => GetAsync().GetAwaiter().GetResult().GetDatabase(_options.Database);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_multiplexer.IsValueCreated)
        {
            return;
        }

        try
        {
            ConnectionMultiplexer multiplexer = await _multiplexer.Value.ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // The connection never came up: nothing to close.
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(BuildConfiguration(_options));
}
