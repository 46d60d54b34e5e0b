using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;
using Tether.Server.Hubs;

namespace Tether.Interop.Tests;

/// <summary>The hub the official client talks to: the capture hub's methods plus groups, progress and state.</summary>
[HubName("chat")]
public sealed class InteropChatHub(ProgressGate gate) : Hub
{
    public string Echo(string message) => message;

    public int Add(int a, int b) => a + b;

    public void Send(string name, string message) => Clients.All.addMessage(name, message);

    public void Fail(string message) => throw new HubException(message, new { code = 42 });

    public Task Join(string group) => Groups.Add(Context.ConnectionId, group);

    public Task SendToGroup(string group, string message) => Clients.Group(group).addMessage(group, message);

    public async Task<int> CountTo(int n, IProgress<int> progress)
    {
        for (int i = 1; i <= n; i++)
        {
            progress.Report(i);
        }

        // Progress and the result travel different ways (the connection's topic, the call's reply): the test opens
        // the gate once the client has seen every report, so the result cannot overtake them.
        await gate.Opened.Task;
        return n;
    }

    public string Greet()
    {
        string name = Clients.Caller.userName;
        Clients.Caller.greeted = true;
        return "hello " + name;
    }
}

/// <summary>Holds a hub method until the test has seen what it waits for.</summary>
public sealed class ProgressGate
{
    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A real Kestrel server on 127.0.0.1 with <see cref="InteropChatHub"/> at <c>/signalr</c>.</summary>
public sealed class HubInteropServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HubInteropServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    public static async Task<HubInteropServer> StartAsync(Action<PersistentConnectionOptions>? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ProgressGate>();
        builder.Services.AddHubs([typeof(InteropChatHub)]);
        if (options is not null)
        {
            builder.Services.Configure(options);
        }

        var app = builder.Build();
        app.MapHubs();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HubInteropServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
