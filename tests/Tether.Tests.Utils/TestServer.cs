using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;

namespace Tether.Tests.Utils;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with a free port, hosting the test connections:
/// <c>/echo</c>, <c>/broadcast</c>, <c>/groups</c> and <c>/events</c>.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The application's services (e.g. to resolve <see cref="IPersistentConnectionContext{TConnection}"/>).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The events seen by <c>/events</c>.</summary>
    public ConnectionEventLog Events => _app.Services.GetRequiredService<ConnectionEventLog>();

    /// <summary>An absolute URL on this server, e.g. <c>Url("/echo")</c>.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    /// <summary>Starts a server.</summary>
    /// <param name="configure">Changes the persistent-connection options (e.g. short timeouts).</param>
    /// <param name="configureServices">Adds or replaces services.</param>
    /// <param name="configureApp">Adds middleware or endpoints before the test connections are mapped.</param>
    public static async Task<TestServer> StartAsync(
        Action<PersistentConnectionOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null)
    {
        var builder = LoopbackKestrel.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<ConnectionEventLog>();
        builder.Services.AddPersistentConnections(configure);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        configureApp?.Invoke(app);
        app.MapPersistentConnection<EchoConnection>("/echo");
        app.MapPersistentConnection<BroadcastConnection>("/broadcast");
        app.MapPersistentConnection<GroupsConnection>("/groups");
        app.MapPersistentConnection<EventsConnection>("/events");
        return new TestServer(app, await LoopbackKestrel.StartAsync(app));
    }

    public ValueTask DisposeAsync() => LoopbackKestrel.StopAsync(_app);
}
