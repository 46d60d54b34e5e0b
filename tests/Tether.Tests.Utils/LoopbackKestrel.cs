using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tether.Tests.Utils;

/// <summary>What every test server shares: real Kestrel on 127.0.0.1 with a free port, no log output, a bounded stop.</summary>
public static class LoopbackKestrel
{
    /// <summary>A slim builder listening on 127.0.0.1, port chosen by the system, with no log providers.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder;
    }

    /// <summary>Starts <paramref name="app"/> and returns its root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>Stops <paramref name="app"/> (at most 5 s for what is still running) and disposes it.</summary>
    public static async ValueTask StopAsync(WebApplication app)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(cts.Token).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
