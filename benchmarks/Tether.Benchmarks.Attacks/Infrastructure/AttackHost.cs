using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;
using Tether.Tests.Utils;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>
/// The server under attack: the tests' <see cref="TestServer"/> (Kestrel on 127.0.0.1 and a free port) with the
/// persistent-connection options given (the defaults unless an attack says otherwise), whose <c>/echo</c> and
/// <c>/broadcast</c> are served by connections that count their events (mapped first, so they win over the test
/// connections of the same paths); every TCP connection is tracked and every error-level log line counted.
/// </summary>
internal sealed class AttackHost(TestServer server) : IAsyncDisposable
{
    public Uri BaseUri => server.BaseUri;

    public IServiceProvider Services => server.Services;

    public EventCounts Events => Services.GetRequiredService<EventCounts>();

    public TcpConnections Connections => Services.GetRequiredService<TcpConnections>();

    public ErrorLogCounter Errors => Services.GetRequiredService<ErrorLogCounter>();

    public IConnection Broadcaster => Services.GetRequiredService<IPersistentConnectionContext<BroadcastAttackConnection>>().Connection;

    public static async Task<AttackHost> StartAsync(Action<PersistentConnectionOptions>? configure = null, Action<IPersistentConnectionBuilder>? backplane = null)
    {
        var connections = new TcpConnections();
        var errors = new ErrorLogCounter();
        var server = await TestServer.StartAsync(
            configure,
            services =>
            {
                services.AddSingleton(connections);
                services.AddSingleton(errors);
                services.AddSingleton<ILoggerProvider>(errors);
                services.AddSingleton<EventCounts>();
                services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(connections.Track)));
                backplane?.Invoke(services.AddPersistentConnections());
            },
            app =>
            {
                app.MapPersistentConnection<EchoAttackConnection>("/echo").WithOrder(-1);
                app.MapPersistentConnection<BroadcastAttackConnection>("/broadcast").WithOrder(-1);
            });
        return new AttackHost(server);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
