using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Cli.Demo;
using Tether.Cli.Output;
using Tether.Server;

namespace Tether.Cli.Hosting;

/// <summary>Hosts the demo endpoints (<see cref="DemoEndpoints"/>) on Kestrel until cancelled.</summary>
internal static class DemoServer
{
    /// <summary>How long a stop waits for open requests (long polls, streams) before it closes them.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Starts the server, prints where it listens, and runs until <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="urls">The listen URLs, already checked by <see cref="ListenUrls"/>.</param>
    /// <param name="configure">Changes the persistent-connection options.</param>
    /// <param name="redis">The Redis to scale out over (see <see cref="RedisScaleOut"/>), or <see langword="null"/> for one process.</param>
    /// <param name="sink">Where every line goes.</param>
    /// <param name="cancellationToken">Stops the server (Ctrl+C, SIGTERM).</param>
    /// <returns>The exit code: 0 after a clean stop, 1 when the server could not start.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> urls, Action<PersistentConnectionOptions> configure, string? redis, ConsoleSink sink, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = Build(urls, configure, redis, sink);
        }
        catch (OptionsValidationException ex)
        {
            sink.Error(OneLine(ex.Message));
            return 1;
        }

        try
        {
            try
            {
                // Resolve the options first: an invalid combination fails here, with the validator's message.
                var options = app.Services.GetRequiredService<IOptions<PersistentConnectionOptions>>().Value;
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                PrintBanner(app, options, redis, sink);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
#pragma warning disable CA1031 // Any startup failure (port in use, bad certificate, invalid options) ends the command with one line.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                sink.Error("could not start: " + OneLine(ex.Message));
                return 1;
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            sink.Event("stopped");
            return 0;
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static WebApplication Build(IReadOnlyList<string> urls, Action<PersistentConnectionOptions> configure, string? redis, ConsoleSink sink)
    {
        // Args are not passed on: the command line belongs to System.CommandLine, not to ASP.NET Core configuration.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls([.. urls]);

        // The host logs only what a demo user should see: warnings and errors, through the sink.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConsoleSinkLoggerProvider(sink));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        var connections = DemoEndpoints.AddServices(builder.Services, sink, configure);
        if (redis is not null)
        {
            RedisScaleOut.Add(connections, redis);
        }

        var app = builder.Build();
        DemoEndpoints.Map(app);
        return app;
    }

    private static void PrintBanner(WebApplication app, PersistentConnectionOptions options, string? redis, ConsoleSink sink)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? (ICollection<string>)[];
        foreach (string address in addresses)
        {
            sink.Info("Listening on " + address);
        }

        string first = addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
        string keepAlive = options.KeepAlive is { } k ? Seconds(k) : "off";
        sink.Info("Endpoints: " + DemoEndpoints.Description);
        sink.Info($"Options: keep-alive {keepAlive}, disconnect timeout {Seconds(options.DisconnectTimeout)}, connection timeout {Seconds(options.ConnectionTimeout)}");
        if (redis is not null)
        {
            sink.Info(RedisScaleOut.Describe(app.Services));
        }
        sink.Info($"Connect a classic SignalR 2.x client to {first}{EchoConnection.MappedPath}, or try: curl \"{first}{EchoConnection.MappedPath}/negotiate?clientProtocol=2.1\"");
        sink.Info($"Connect a classic hub client to {first}{ChatHub.MappedPath} (hub '{ChatHub.Name}'), or try: curl \"{first}{ChatHub.MappedPath}/hubs\"");
        sink.Info("Press Ctrl+C to stop.");
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
