using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Browser.Tests.Hubs;
using Tether.Server;
using Tether.Server.Hubs;

namespace Tether.Browser.Tests;

/// <summary>
/// A <see cref="TestServer"/> (with /echo, /broadcast, /groups, /events, and the test hubs at /signalr with their
/// generated proxy at /signalr/hubs) that also serves the harness pages, records
/// every request and the server's warnings, behind a <see cref="FaultProxy"/>: the browser only ever talks to the
/// proxy, so a test can cut or stall the network between them.
/// </summary>
public sealed class BrowserTestServer : IAsyncDisposable
{
    private BrowserTestServer(TestServer server, FaultProxy proxy, RequestLog requests, ServerLog log)
    {
        Server = server;
        Proxy = proxy;
        Requests = requests;
        Log = log;
    }

    public TestServer Server { get; }

    /// <summary>The TCP proxy between Chromium and Kestrel.</summary>
    public FaultProxy Proxy { get; }

    public RequestLog Requests { get; }

    /// <summary>Warnings and errors the server logged.</summary>
    public ServerLog Log { get; }

    public ConnectionEventLog Events => Server.Events;

    /// <summary>A harness page (<c>index.html</c>, <c>hub.html</c>, <c>hub-manual.html</c>), through the proxy.</summary>
    public string Page(string file) => Proxy.Url("/harness/" + file);

    /// <summary>Sends from outside any connection, as an application would.</summary>
    public IPersistentConnectionContext<TConnection> Context<TConnection>()
        where TConnection : PersistentConnection => Server.Services.GetRequiredService<IPersistentConnectionContext<TConnection>>();

    /// <summary>
    /// Completes once the server holds an open receive request of <paramref name="path"/> over
    /// <paramref name="transport"/> that started at or after <paramref name="sinceMs"/>: the WebSocket or event stream
    /// (<c>/connect</c>, <c>/reconnect</c>), or a pending long poll (<c>/poll</c>, <c>/reconnect</c>; a long-polling
    /// <c>/connect</c> returns at once). Cutting before that would race the long-polling client: a poll on a TCP
    /// connection that the proxy is still opening escapes the cut, and then hangs without an error on the stalled link.
    /// </summary>
    public Task<RequestRecord> WaitForOpenReceiveAsync(string path, string transport, long sinceMs)
    {
        string[] paths = transport == "longPolling" ? [path + "/poll", path + "/reconnect"] : [path + "/connect", path + "/reconnect"];
        return Requests.WaitForOpen(r => r.Transport == transport && r.StartMs >= sinceMs && paths.Contains(r.Path)).DefaultTimeout();
    }

    /// <summary>When the latest request to <paramref name="path"/> started, or 0.</summary>
    public long LatestStartMs(string path) => Requests.Snapshot().Where(r => r.Path == path).Select(r => r.StartMs).DefaultIfEmpty(0).Max();

    /// <summary>Sends to the clients of a hub from outside it, as an application would.</summary>
    public IHubContext<THub> HubContext<THub>()
        where THub : IHub => Server.Services.GetRequiredService<IHubContext<THub>>();

    /// <param name="clock">The clock of the request log and the server log.</param>
    /// <param name="configure">Changes the persistent-connection options.</param>
    /// <param name="configureHubs">Changes the hub options.</param>
    public static async Task<BrowserTestServer> StartAsync(Stopwatch clock, Action<PersistentConnectionOptions>? configure = null, Action<HubOptions>? configureHubs = null)
    {
        HarnessFiles.EnsurePresent();
        var requests = new RequestLog(clock);
        var log = new ServerLog(clock);
        var server = await TestServer.StartAsync(
            configure,
            configureServices: services =>
            {
                services.AddSingleton<ILoggerProvider>(log);
                TestHubs.Add(services, configureHubs);
            },
            configureApp: app =>
            {
                app.Use((context, next) => requests.InvokeAsync(context, _ => next()));
                foreach (string page in new[] { "index.html", "hub.html", "hub-manual.html" })
                {
                    MapFile(app, "/harness/" + page, Path.Combine(HarnessFiles.WebRoot, page), "text/html; charset=utf-8");
                }

                foreach (string script in new[] { "harness-core.js", "harness.js", "hub-harness.js" })
                {
                    MapFile(app, "/harness/" + script, Path.Combine(HarnessFiles.WebRoot, script), "text/javascript; charset=utf-8");
                }

                MapFile(app, "/harness/lib/jquery.js", HarnessFiles.JQuery, "text/javascript; charset=utf-8");
                MapFile(app, "/harness/lib/jquery.signalR.js", HarnessFiles.SignalR, "text/javascript; charset=utf-8");
                app.MapHubs(TestHubs.Path);
            });
        var proxy = FaultProxy.Start(server.BaseUri);
        return new BrowserTestServer(server, proxy, requests, log);
    }

    private static void MapFile(WebApplication app, string route, string file, string contentType) =>
        app.MapGet(route, () => Results.File(file, contentType));

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Server.DisposeAsync();
    }
}
