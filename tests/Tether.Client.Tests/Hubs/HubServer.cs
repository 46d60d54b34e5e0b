using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Server;

namespace Tether.Client.Tests.Hubs;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) with <see cref="ChatHub"/> at <c>/signalr</c>; it records each
/// request's path, <c>connectionData</c> and form body.
/// </summary>
public sealed class HubServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Every request: its path, its <c>connectionData</c> and (for a POST) its body, as received.</summary>
    public ConcurrentQueue<(string Path, string? ConnectionData, string Body)> Requests { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = LoopbackKestrel.CreateBuilder();
        builder.Services.AddHubs([typeof(ChatHub)]);
        builder.Services.AddSingleton<ConnectionGates>();
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            string body = await new StreamReader(context.Request.Body, leaveOpen: true).ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue((context.Request.Path, context.Request.Query["connectionData"], body));
            await next(context);
        });
        _app.MapHubs();
        BaseUri = await LoopbackKestrel.StartAsync(_app);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            // The invocations a test left held on purpose end before the server stops.
            _app.Services.GetRequiredService<ConnectionGates>().OpenAll();
            await LoopbackKestrel.StopAsync(_app);
        }
    }
}
