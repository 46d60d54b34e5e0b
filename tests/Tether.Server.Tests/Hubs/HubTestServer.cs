using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Tether.Server.Tests.Hubs;

/// <summary>Starts a <see cref="HubHost"/> with every test hub and the <see cref="HubEventLog"/>.</summary>
internal static class HubTestServer
{
    public static readonly Type[] AllHubs = [typeof(ChatHub), typeof(EventsHub), typeof(TypedHub), typeof(SecureHub), typeof(OpenHub), typeof(GatedHub)];

    public static Task<HubHost> StartAsync(
        Action<HubOptions>? configure = null,
        Action<PersistentConnectionOptions>? connectionOptions = null,
        Action<IServiceCollection>? services = null,
        Action<IEndpointConventionBuilder>? conventions = null) =>
        HubHost.StartAsync(
            AllHubs,
            configure,
            builder =>
            {
                builder.Services.AddSingleton<HubEventLog>();
                builder.Services.AddSingleton<CallGates>();
                if (connectionOptions is not null)
                {
                    builder.Services.Configure(connectionOptions);
                }

                services?.Invoke(builder.Services);
            },
            conventions);

    extension(HubHost host)
    {
        /// <summary>The hub events <see cref="EventsHub"/> recorded.</summary>
        public HubEventLog Events => host.Services.GetRequiredService<HubEventLog>();

        /// <summary>The gates <see cref="GatedHub"/> calls wait on.</summary>
        public CallGates Gates => host.Services.GetRequiredService<CallGates>();
    }
}
