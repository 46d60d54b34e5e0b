using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tether.Server.Tests.Hubs;

/// <summary>A real Kestrel server on 127.0.0.1 with the test hubs at <c>/signalr</c>.</summary>
internal sealed class HubTestServer : IAsyncDisposable
{
    public static readonly Type[] AllHubs = [typeof(ChatHub), typeof(EventsHub), typeof(TypedHub), typeof(SecureHub), typeof(OpenHub)];

    private readonly WebApplication _app;

    private HubTestServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    public HubEventLog Events => _app.Services.GetRequiredService<HubEventLog>();

    public static async Task<HubTestServer> StartAsync(
        Action<HubOptions>? configure = null,
        Action<PersistentConnectionOptions>? connectionOptions = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? beforeHubs = null,
        Action<IEndpointConventionBuilder>? conventions = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<HubEventLog>();
        builder.Services.AddSingleton<ProgressGate>();
        builder.Services.AddHubs(AllHubs, configure);
        if (connectionOptions is not null)
        {
            builder.Services.Configure(connectionOptions);
        }

        services?.Invoke(builder.Services);
        var app = builder.Build();
        beforeHubs?.Invoke(app);
        var mapped = app.MapHubs();
        conventions?.Invoke(mapped);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HubTestServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
