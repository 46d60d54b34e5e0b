using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tether.Redis;
using Tether.Server;

namespace Tether.Benchmarks.Load.Server;

/// <summary>
/// The server under test, run in a child process so its CPU, allocations and memory are its own: Tether at
/// <c>/tether</c>, an ASP.NET Core SignalR hub at <c>/hub</c>, raw Kestrel WebSockets at <c>/ws</c>, counters at
/// <c>/stats</c> and broadcast triggers at <c>/broadcast/{target}</c>.
/// </summary>
internal static class BenchServer
{
    /// <summary>The line the child prints once it listens; the parent reads the address from it.</summary>
    public const string ListeningPrefix = "LISTENING ";

    public static async Task RunAsync(string? redis)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        var tether = builder.Services.AddPersistentConnections(o => o.DefaultMessageBufferSize = 1000);
        var signalR = builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 1 << 20);
        if (redis is not null)
        {
            tether.AddRedis(redis);
            signalR.AddStackExchangeRedis(redis);
        }

        builder.Services.AddSingleton<RawSockets>();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapPersistentConnection<EchoConnection>("/tether");
        app.MapHub<EchoHub>("/hub");
        app.Map("/ws", (HttpContext context, RawSockets sockets) => sockets.AcceptAsync(context));
        app.MapGet("/stats", (bool? collect) => ServerStats.Sample(collect == true));
        app.MapPost("/broadcast/{target}", BroadcastAsync);
        await app.StartAsync();

        string address = app.Urls.First();
        Console.WriteLine(ListeningPrefix + address);
        Console.Out.Flush();

        // The parent closes our standard input when it is done with us.
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
    }

    /// <summary>
    /// Broadcasts <paramref name="count"/> messages to a target's clients from <paramref name="senders"/> concurrent
    /// senders (each sends its share one after another, awaiting each), as many callers of one server would.
    /// </summary>
    private static async Task<IResult> BroadcastAsync(string target, int count, int size, int? senders, IServiceProvider services)
    {
        string payload = new('x', size);
        Func<Task>? send = target switch
        {
            "tether" => () => services.GetRequiredService<IPersistentConnectionContext<EchoConnection>>().Connection.Broadcast(payload),
            "aspnetcore" => () => services.GetRequiredService<Microsoft.AspNetCore.SignalR.IHubContext<EchoHub>>().Clients.All.SendAsync("echo", payload),
            "raw" => () => services.GetRequiredService<RawSockets>().BroadcastAsync(payload),
            _ => null,
        };
        if (send is null)
        {
            return Results.BadRequest($"Unknown target '{target}': tether, aspnetcore or raw.");
        }

        int parallel = Math.Clamp(senders ?? 1, 1, Math.Max(1, count));
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async sender =>
        {
            for (int i = sender; i < count; i += parallel)
            {
                await send();
            }
        }));
        return Results.Ok(watch.Elapsed.TotalMilliseconds);
    }
}

/// <summary>Tether's echo: every message goes back to its sender only.</summary>
internal sealed class EchoConnection : PersistentConnection
{
    protected override Task OnReceived(IRequest request, string connectionId, string? data) =>
        Connection.Send(connectionId, data);
}

/// <summary>ASP.NET Core SignalR's echo: <c>Echo(text)</c> calls <c>echo(text)</c> on the caller.</summary>
internal sealed class EchoHub : Microsoft.AspNetCore.SignalR.Hub
{
    public Task Echo(string text) => Clients.Caller.SendAsync("echo", text);
}

/// <summary>Raw Kestrel WebSockets: echo every text message, and broadcast to every open socket on demand.</summary>
internal sealed class RawSockets
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<WebSocket, SemaphoreSlim> _open = new();

    public async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var sending = new SemaphoreSlim(1, 1);
        _open[socket] = sending;
        try
        {
            while (true)
            {
                // An idle socket holds no buffer: wait for data with an empty read, then rent one for the message.
                var ready = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (ready.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    await SendAsync(socket, sending, buffer.AsMemory(0, result.Count));
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _open.TryRemove(socket, out _);
        }
    }

    public async Task BroadcastAsync(string payload)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(payload);
        foreach (var (socket, sending) in _open)
        {
            try
            {
                await SendAsync(socket, sending, bytes);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim sending, ReadOnlyMemory<byte> bytes)
    {
        await sending.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sending.Release();
        }
    }
}
