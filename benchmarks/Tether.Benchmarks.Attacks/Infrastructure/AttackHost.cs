using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>
/// The server under attack: Kestrel on 127.0.0.1 and a free port, <c>/echo</c> and <c>/broadcast</c> with the
/// persistent-connection options given (the defaults unless an attack says otherwise), every TCP connection tracked,
/// every connection event counted and every error-level log line counted.
/// </summary>
internal sealed class AttackHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AttackHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    public EventCounts Events => _app.Services.GetRequiredService<EventCounts>();

    public TcpConnections Connections => _app.Services.GetRequiredService<TcpConnections>();

    public ErrorLogCounter Errors => _app.Services.GetRequiredService<ErrorLogCounter>();

    public IConnection Broadcaster => _app.Services.GetRequiredService<IPersistentConnectionContext<BroadcastAttackConnection>>().Connection;

    public static async Task<AttackHost> StartAsync(Action<PersistentConnectionOptions>? configure = null, Action<IPersistentConnectionBuilder>? backplane = null)
    {
        var connections = new TcpConnections();
        var errors = new ErrorLogCounter();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(connections.Track)));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(errors);
        builder.Services.AddSingleton(connections);
        builder.Services.AddSingleton(errors);
        builder.Services.AddSingleton<EventCounts>();
        var persistent = builder.Services.AddPersistentConnections(configure);
        backplane?.Invoke(persistent);

        var app = builder.Build();
        app.MapPersistentConnection<EchoAttackConnection>("/echo");
        app.MapPersistentConnection<BroadcastAttackConnection>("/broadcast");
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AttackHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
