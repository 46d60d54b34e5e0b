using System.CommandLine;
using System.Globalization;
using Tether.Cli.Hosting;
using Tether.Cli.Output;
using Tether.Server;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether serve [--urls URL] [--keep-alive SECONDS] [--disconnect-timeout SECONDS] [--redis HOST:PORT]</c>: hosts the
/// demo connections <c>/echo</c> and <c>/broadcast</c> and the demo hub <c>chat</c> at <c>/signalr</c> on Kestrel and prints connections and messages as they come. With
/// <c>--redis</c>, every process started with the same Redis forms one cluster.
/// </summary>
internal sealed class ServeCommand : Command
{
    /// <summary>The default of <c>--urls</c>.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5000";

    private readonly Option<string> _urls = new("--urls")
    {
        Description = "The URLs to listen on, separated by ';'. Port 0 picks a free port.",
        HelpName = "URLS",
        DefaultValueFactory = _ => DefaultUrls,
    };

    private readonly Option<double?> _keepAlive = new("--keep-alive")
    {
        Description = "Seconds between keep-alives; 0 turns them off. Default: 10, or a third of --disconnect-timeout when that is shorter.",
        HelpName = "SECONDS",
    };

    private readonly Option<double?> _disconnectTimeout = new("--disconnect-timeout")
    {
        Description = "Seconds a connection may go without a receive request before it is disconnected. Default: 30.",
        HelpName = "SECONDS",
    };

    private readonly Option<string?> _redis = new("--redis")
    {
        Description = "Scale out over Redis: every tether serve started with the same Redis acts as one server (a client may use any of them). HOST:PORT, or a StackExchange.Redis configuration string.",
        HelpName = "HOST:PORT",
    };

    private readonly ConsoleSink _sink;

    /// <summary>Creates the command.</summary>
    /// <param name="sink">Where the command prints.</param>
    public ServeCommand(ConsoleSink sink)
        : base("serve", "Host the demo endpoints /echo and /broadcast and the hub chat at /signalr, and print connections, messages and hub calls as they come.")
    {
        _sink = sink;
        _keepAlive.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } seconds && (seconds < 0 || !double.IsFinite(seconds)))
            {
                result.AddError("--keep-alive must be 0 (off) or a positive number of seconds.");
            }
        });
        _disconnectTimeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } seconds && (seconds <= 0 || !double.IsFinite(seconds)))
            {
                result.AddError("--disconnect-timeout must be a positive number of seconds.");
            }
        });
        _redis.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } redis && !RedisScaleOut.TryValidate(redis, out string? error))
            {
                result.AddError(error!);
            }
        });

        Options.Add(_urls);
        Options.Add(_keepAlive);
        Options.Add(_disconnectTimeout);
        Options.Add(_redis);
        SetAction(InvokeAsync);
    }

    private async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // System.CommandLine handles Ctrl+C only once the action has returned its task: return it before the host is
        // built, which runs synchronously for a while, so that Ctrl+C during the start stops the server cleanly.
        await Task.Yield();
        if (!ListenUrls.TryParse(parseResult.GetValue(_urls), out var urls, out string? error))
        {
            _sink.Error(error!);
            return 1;
        }

        double? keepAlive = parseResult.GetValue(_keepAlive);
        double? disconnectTimeout = parseResult.GetValue(_disconnectTimeout);
        double disconnect = disconnectTimeout ?? new PersistentConnectionOptions().DisconnectTimeout.TotalSeconds;
        if (keepAlive is > 0 && keepAlive > disconnect / 3)
        {
            _sink.Error(string.Create(CultureInfo.InvariantCulture, $"--keep-alive ({keepAlive} s) must be at most a third of --disconnect-timeout ({disconnect} s)."));
            return 1;
        }

        return await DemoServer.RunAsync(urls, options => Configure(options, keepAlive, disconnectTimeout), parseResult.GetValue(_redis), _sink, cancellationToken).ConfigureAwait(false);
    }

    private static void Configure(PersistentConnectionOptions options, double? keepAlive, double? disconnectTimeout)
    {
        if (disconnectTimeout is { } disconnect)
        {
            options.DisconnectTimeout = TimeSpan.FromSeconds(disconnect);

            // As in classic SignalR: a shorter disconnect timeout brings the keep-alive down to a third of it.
            if (options.KeepAlive is { } current && current > options.DisconnectTimeout / 3)
            {
                options.KeepAlive = options.DisconnectTimeout / 3;
            }
        }

        if (keepAlive is { } seconds)
        {
            options.KeepAlive = seconds == 0 ? null : TimeSpan.FromSeconds(seconds);
        }
    }
}
