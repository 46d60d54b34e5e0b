using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tether.Redis;
using Tether.Server;

namespace Tether.Cli.Hosting;

/// <summary><c>tether serve --redis</c>: the Redis backplane, so that several <c>tether serve</c> processes form one cluster.</summary>
internal static class RedisScaleOut
{
    /// <summary>Checks a <c>--redis</c> value: HOST:PORT or a StackExchange.Redis configuration string with at least one endpoint.</summary>
    /// <param name="value">The value.</param>
    /// <param name="error">Why it is not usable.</param>
    /// <returns><see langword="true"/> when usable.</returns>
    public static bool TryValidate(string value, out string? error)
    {
        error = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(value) && ConfigurationOptions.Parse(value).EndPoints.Count > 0)
            {
                return true;
            }
        }
        catch (ArgumentException)
        {
            // Reported below.
        }

        error = $"--redis must be HOST:PORT (e.g. 127.0.0.1:6379) or a StackExchange.Redis configuration string, not \"{value}\".";
        return false;
    }

    /// <summary>Adds the backplane with the demo's defaults (key prefix <c>tether</c>, shared Data Protection keys).</summary>
    /// <param name="connections">The persistent-connection builder.</param>
    /// <param name="redis">The <c>--redis</c> value.</param>
    public static void Add(IPersistentConnectionBuilder connections, string redis)
    {
        connections.AddRedis(redis);

        // The backplane's warnings (Redis lost, message gaps) are worth showing to a demo user; its debug chatter is not.
        connections.Services.AddLogging(logging => logging.AddFilter("Tether.Redis", LogLevel.Warning));
    }

    /// <summary>The banner line that says the process is part of a cluster.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The line.</returns>
    public static string Describe(IServiceProvider services)
    {
        var bus = services.GetRequiredService<RedisMessageBus>();
        string state = bus.IsConnected ? "connected" : "not reachable yet, retrying";
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisBackplaneOptions>>().Value;
        return $"Scale-out: Redis at {options.Configuration} ({state}), key prefix {options.Prefix}: every tether serve with this Redis serves the same clients";
    }
}
