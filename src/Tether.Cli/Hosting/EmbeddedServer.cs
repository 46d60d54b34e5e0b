using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tether.Cli.Demo;
using Tether.Cli.Output;
using Tether.Server;

namespace Tether.Cli.Hosting;

/// <summary>
/// The demo endpoints (<see cref="DemoEndpoints"/>) on Kestrel at <c>http://127.0.0.1</c> with a free port, for
/// <c>tether demo</c>. Unlike <see cref="DemoServer"/>, which runs until Ctrl+C, the caller starts and stops it; it
/// ignores Ctrl+C itself and keeps its data-protection keys in memory, so it writes nothing to disk.
/// </summary>
internal sealed class EmbeddedServer : IAsyncDisposable
{
    /// <summary>How long a stop waits for open requests before it closes them.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;

    private EmbeddedServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Sends to the connections of <c>/echo</c> from the server side.</summary>
    public IPersistentConnectionContext<EchoConnection> Echo => _app.Services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>();

    /// <summary>Builds and starts the server.</summary>
    /// <param name="sink">Where the demo connections print their events, and the host its warnings and errors.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started server.</returns>
    public static async Task<EmbeddedServer> StartAsync(ConsoleSink sink, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConsoleSinkLoggerProvider(sink));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        DemoEndpoints.AddServices(builder.Services, sink, configure: null);

        var app = builder.Build();
        DemoEndpoints.Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel started without an address.");
            return new EmbeddedServer(app, new Uri(address.TrimEnd('/') + "/"));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An absolute URL on this server, e.g. <c>Url("/echo")</c> gives <c>http://127.0.0.1:41234/echo</c>.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The URL.</returns>
    public string Url(string path) => new Uri(BaseUri, path).ToString();

    /// <summary>Stops the server, closing open requests after <see cref="ShutdownTimeout"/>.</summary>
    /// <param name="cancellationToken">Ends the graceful part of the stop early.</param>
    /// <returns>A task that completes when the server stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>A host lifetime that leaves Ctrl+C and SIGTERM to the command, which stops the server itself.</summary>
    private sealed class CallerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
