using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Server.Internal;
using Tether.Server.Messaging;

namespace Tether.Server.Hubs.Internal;

/// <summary>What every hub call and event shares: the catalog, options, serializers, the bus and how hub instances are made.</summary>
internal sealed class HubRuntime
{
    private readonly ConcurrentDictionary<string, HubClientSender> _senders = new(StringComparer.Ordinal);
    private readonly ConnectionMessenger _endpointGroups;

    public HubRuntime(
        IOptions<HubOptions> hubOptions,
        IOptions<PersistentConnectionOptions> connectionOptions,
        IMessageBus bus,
        IUserIdProvider users,
        HubAuthorizer authorizer,
        HubPipeline pipeline,
        ILogger<HubRuntime> logger)
    {
        Options = hubOptions.Value;
        Catalog = new HubCatalog(Options.HubTypes);
        Json = connectionOptions.Value.JsonSerializerOptions;
        BindingJson = new JsonSerializerOptions(Json)
        {
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
        Bus = bus;
        Users = users;
        Authorizer = authorizer;
        Pipeline = pipeline;
        Logger = logger;
        _endpointGroups = new ConnectionMessenger(bus, HubEndpoint.TypeName, Json);
    }

    public HubOptions Options { get; }

    public HubCatalog Catalog { get; }

    /// <summary>How results and client-call arguments are written.</summary>
    public JsonSerializerOptions Json { get; }

    /// <summary>How call arguments are bound: as <see cref="Json"/>, but lenient like classic's Json.NET (any letter case, numbers in strings).</summary>
    public JsonSerializerOptions BindingJson { get; }

    public IMessageBus Bus { get; }

    public IUserIdProvider Users { get; }

    public HubAuthorizer Authorizer { get; }

    public HubPipeline Pipeline { get; }

    public ILogger Logger { get; }

    public HubClientSender SenderFor(string hub) => _senders.GetOrAdd(hub, static (name, runtime) => new HubClientSender(runtime.Bus, name, runtime.Json, runtime.Pipeline), this);

    public IGroupManager GroupsFor(string hub) => new HubGroupManager(_endpointGroups, hub);

    /// <summary>Creates an instance of <paramref name="hub"/> for one call or event, with its context, clients and groups.</summary>
    public IHub Activate(HubDescriptor hub, IServiceProvider services, IRequest request, string connectionId, StateChangeTracker state)
    {
        var instance = hub.Create(services);
        instance.Context = new HubCallerContext(request, connectionId);
        instance.Clients = new HubCallerClients(SenderFor(hub.Name), connectionId, state);
        instance.Groups = GroupsFor(hub.Name);
        return instance;
    }
}
