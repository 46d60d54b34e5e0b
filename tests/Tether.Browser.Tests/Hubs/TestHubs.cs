using Microsoft.Extensions.DependencyInjection;
using Tether.Server;

namespace Tether.Browser.Tests.Hubs;

/// <summary>The hubs every <see cref="BrowserTestServer"/> serves at <see cref="Path"/>.</summary>
internal static class TestHubs
{
    /// <summary>The classic default path, which the generated proxy's <c>$.connection.hub</c> points at.</summary>
    public const string Path = "/signalr";

    public static void Add(IServiceCollection services, Action<HubOptions>? configure)
    {
        services.AddSingleton<ProgressGate>();
        services.AddHubs([typeof(ChatHub), typeof(StatusHub)], configure);
    }
}
