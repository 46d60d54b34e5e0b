using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;

namespace Tether.Redis.Tests;

/// <summary>
/// Several Tether server nodes in this process, one Kestrel each on 127.0.0.1:0, joined by the Redis backplane under a
/// key prefix of their own (so clusters of parallel tests never see each other's messages).
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly List<TestServer> _nodes;

    private Cluster(List<TestServer> nodes, string prefix)
    {
        _nodes = nodes;
        Prefix = prefix;
    }

    /// <summary>The nodes, in start order.</summary>
    public IReadOnlyList<TestServer> Nodes => _nodes;

    /// <summary>The key prefix of this cluster.</summary>
    public string Prefix { get; }

    /// <summary>Node <paramref name="index"/>.</summary>
    public TestServer this[int index] => _nodes[index];

    /// <summary>Starts <paramref name="count"/> nodes on <paramref name="redis"/>.</summary>
    public static async Task<Cluster> StartAsync(
        RedisServerFixture redis,
        int count,
        Action<PersistentConnectionOptions>? configure = null,
        Action<RedisBackplaneOptions>? configureRedis = null,
        Action<IServiceCollection>? configureServices = null,
        ILoggerProvider? logging = null,
        [CallerMemberName] string name = "")
    {
        string prefix = $"{name}-{Guid.NewGuid():N}";
        List<TestServer> nodes = [];
        try
        {
            for (int i = 0; i < count; i++)
            {
                nodes.Add(await StartNodeAsync(redis, prefix, configure, configureRedis, configureServices, logging));
            }
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }

        return new Cluster(nodes, prefix);
    }

    /// <summary>Starts one more node of this cluster.</summary>
    public async Task<TestServer> AddNodeAsync(RedisServerFixture redis, Action<PersistentConnectionOptions>? configure = null, Action<RedisBackplaneOptions>? configureRedis = null)
    {
        var node = await StartNodeAsync(redis, Prefix, configure, configureRedis, null, null);
        _nodes.Add(node);
        return node;
    }

    /// <summary>The backplane of node <paramref name="index"/>.</summary>
    public RedisMessageBus Bus(int index) => _nodes[index].Services.GetRequiredService<RedisMessageBus>();

    /// <summary>The connection context of <typeparamref name="T"/> on node <paramref name="index"/>.</summary>
    public IPersistentConnectionContext<T> Context<T>(int index)
        where T : PersistentConnection => _nodes[index].Services.GetRequiredService<IPersistentConnectionContext<T>>();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static Task<TestServer> StartNodeAsync(
        RedisServerFixture redis,
        string prefix,
        Action<PersistentConnectionOptions>? configure,
        Action<RedisBackplaneOptions>? configureRedis,
        Action<IServiceCollection>? configureServices,
        ILoggerProvider? logging) =>
        TestServer.StartAsync(configure, services =>
        {
            configureServices?.Invoke(services);
            if (logging is not null)
            {
                services.AddLogging(builder => builder.AddProvider(logging));
            }

            services.AddPersistentConnections().AddRedis(o =>
            {
                o.Configuration = redis.Configuration;
                o.Prefix = prefix;
                configureRedis?.Invoke(o);
            });
            if (Environment.GetEnvironmentVariable("TETHER_REDIS_TEST_LOG") is { Length: > 0 } path)
            {
                // Debugging aid: the backplane's own log, every node, into one file.
                services.AddLogging(logging => logging.AddProvider(new FileLoggerProvider(path, prefix)).AddFilter("Tether", LogLevel.Debug));
            }
        });
}

/// <summary>Appends log lines to a file (see <c>TETHER_REDIS_TEST_LOG</c> in <see cref="Cluster"/>).</summary>
internal sealed class FileLoggerProvider(string path, string cluster) : ILoggerProvider
{
    private static readonly object s_lock = new();
    private readonly string _node = Guid.NewGuid().ToString("N")[..6];

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, string message)
    {
        lock (s_lock)
        {
            File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {cluster[..Math.Min(40, cluster.Length)]} {_node} {level} {category}: {message}{Environment.NewLine}");
        }
    }

    private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write(category, logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
    }
}
