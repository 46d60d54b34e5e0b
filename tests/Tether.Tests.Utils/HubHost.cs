using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;

namespace Tether.Tests.Utils;

/// <summary>A real Kestrel server on 127.0.0.1 (a free port) serving the given hubs at <c>/signalr</c>.</summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HubHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The application's services (e.g. to resolve <c>IHubContext&lt;THub&gt;</c>).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>An absolute URL on this server, e.g. <c>Url("/signalr")</c>.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    /// <summary>Starts a server with <paramref name="hubs"/> (and <see cref="ProgressGate"/> as a service).</summary>
    /// <param name="hubs">The hub classes.</param>
    /// <param name="configure">Changes the hub options.</param>
    /// <param name="services">Adds or replaces services (options, a backplane, pipeline modules...).</param>
    /// <param name="conventions">Applies conventions to the mapped hubs (e.g. <c>RequireAuthorization()</c>).</param>
    public static async Task<HubHost> StartAsync(
        IEnumerable<Type> hubs,
        Action<HubOptions>? configure = null,
        Action<IPersistentConnectionBuilder>? services = null,
        Action<IEndpointConventionBuilder>? conventions = null)
    {
        var builder = LoopbackKestrel.CreateBuilder();
        builder.Services.AddSingleton<ProgressGate>();
        var hubBuilder = builder.Services.AddHubs(hubs, configure);
        services?.Invoke(hubBuilder);

        var app = builder.Build();
        var mapped = app.MapHubs();
        conventions?.Invoke(mapped);
        return new HubHost(app, await LoopbackKestrel.StartAsync(app));
    }

    public ValueTask DisposeAsync() => LoopbackKestrel.StopAsync(_app);
}

/// <summary>Holds a hub method until the test has seen what it waits for (e.g. every progress report).</summary>
public sealed class ProgressGate
{
    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
