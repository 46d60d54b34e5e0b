using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tether.Cli.Demo;
using Tether.Cli.Output;
using Tether.Server;

namespace Tether.Cli.Hosting;

/// <summary>
/// What both demo hosts (<see cref="DemoServer"/> for <c>tether serve</c>, <see cref="EmbeddedServer"/> for
/// <c>tether demo</c>) serve: the persistent connections <c>/echo</c> and <c>/broadcast</c>, and the hub <c>chat</c>
/// at <c>/signalr</c> with its generated JavaScript proxy at <c>/signalr/hubs</c>.
/// </summary>
internal static class DemoEndpoints
{
    /// <summary>One line naming every endpoint, for the banner of <c>tether serve</c>.</summary>
    public const string Description =
        $"{EchoConnection.MappedPath} (replies to the sender), {BroadcastConnection.MappedPath} (sends to everyone), " +
        $"{ChatHub.MappedPath} (hub '{ChatHub.Name}': Echo, Add, Send, JoinGroup, LeaveGroup, SendToGroup, Fail; JavaScript proxy at {ChatHub.MappedPath}/hubs)";

    /// <summary>
    /// Why the hub layer's reflection is safe here: the <c>tether</c> tool is published neither trimmed nor ahead of time
    /// (its project sets neither <c>PublishTrimmed</c> nor <c>PublishAot</c>), so the hub's members are always there.
    /// </summary>
    private const string NotTrimmed = "The tether tool is not trimmed or AOT-compiled; the demo hub is found and called by reflection.";

    /// <summary>Registers the services of the endpoints.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="sink">Where the endpoints print their events.</param>
    /// <param name="configure">Changes the persistent-connection options.</param>
    /// <returns>The persistent-connection builder, e.g. to add Redis.</returns>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = NotTrimmed)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = NotTrimmed)]
    public static IPersistentConnectionBuilder AddServices(IServiceCollection services, ConsoleSink sink, Action<PersistentConnectionOptions>? configure)
    {
        services.AddSingleton(sink);
        var connections = services.AddPersistentConnections(configure);
        services.AddHubs([typeof(ChatHub)]);
        return connections;
    }

    /// <summary>Maps the endpoints.</summary>
    /// <param name="app">The application.</param>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = NotTrimmed)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = NotTrimmed)]
    public static void Map(WebApplication app)
    {
        app.MapPersistentConnection<EchoConnection>(EchoConnection.MappedPath);
        app.MapPersistentConnection<BroadcastConnection>(BroadcastConnection.MappedPath);
        app.MapHubs(ChatHub.MappedPath);
    }
}
