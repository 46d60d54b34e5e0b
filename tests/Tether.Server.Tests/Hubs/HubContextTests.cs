using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Hubs;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>Sending from outside a hub (IHubContext from DI) and typed clients (Hub&lt;T&gt;, IHubContext&lt;THub, TClient&gt;).</summary>
public sealed class HubContextTests
{
    [Fact]
    public async Task IHubContext_from_dependency_injection_reaches_all_one_client_and_groups()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        var context = server.Services.GetRequiredService<IHubContext<ChatHub>>();

        await ((Task)context.Clients.All.addMessage("ctx", "to all")).DefaultTimeout();
        await ((Task)context.Clients.Client(client.ConnectionId).addMessage("ctx", "to one")).DefaultTimeout();
        await context.Groups.Add(client.ConnectionId, "room").DefaultTimeout();
        var joined = await client.PollUntilAsync(m => m.Count >= 2);
        await ((Task)context.Clients.Group("room").addMessage("ctx", "to group")).DefaultTimeout();

        // Different topics (the hub's, the connection's): no order between them, as in classic SignalR.
        Assert.Equivalent(
            new[] { """{"H":"chat","M":"addMessage","A":["ctx","to all"]}""", """{"H":"chat","M":"addMessage","A":["ctx","to one"]}""" },
            joined,
            strict: true);
        Assert.Equal(["""{"H":"chat","M":"addMessage","A":["ctx","to group"]}"""], await client.PollUntilAsync(m => m.Count >= 1));
    }

    [Fact]
    public async Task Typed_clients_call_the_interface_method_by_name_and_IClientProxy_offers_SendAsync()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server, """[{"Name":"TypedHub"}]""");
        await client.ConnectLongPollingAsync();
        Assert.Equal("""{"I":"0"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"TypedHub","M":"Tell","A":["typed"]}""")).Body);

        var typed = server.Services.GetRequiredService<IHubContext<TypedHub, ITypedClient>>();
        await typed.Clients.Client(client.ConnectionId).Notify("from context").DefaultTimeout();
        var proxy = server.Services.GetRequiredService<IHubContext<TypedHub, IClientProxy>>();
        await proxy.Clients.AllExcept("nobody").SendAsync("custom", 1, null, new Point(2, 3)).DefaultTimeout();

        Assert.Equivalent(
            new[]
            {
                """{"H":"TypedHub","M":"Notify","A":["typed"]}""",
                """{"H":"TypedHub","M":"Notify","A":["from context"]}""",
                """{"H":"TypedHub","M":"custom","A":[1,null,{"X":2,"Y":3}]}""",
            },
            await client.PollUntilAsync(m => m.Count >= 3),
            strict: true);
    }

    [Fact]
    public async Task Calls_on_the_caller_reach_only_it()
    {
        await using var server = await HubTestServer.StartAsync();
        using var caller = new HubWireClient(server);
        using var other = new HubWireClient(server);
        await caller.ConnectLongPollingAsync();
        await other.ConnectLongPollingAsync();
        await caller.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"CallerOnly","A":["just you"]}""");
        await other.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Send","A":["x","marker"]}""");

        Assert.Equivalent(
            new[] { """{"H":"chat","M":"notify","A":["just you"]}""", """{"H":"chat","M":"addMessage","A":["x","marker"]}""" },
            await caller.PollUntilAsync(m => m.Count >= 2),
            strict: true);
        Assert.Equal(["""{"H":"chat","M":"addMessage","A":["x","marker"]}"""], await other.PollUntilAsync(m => m.Count >= 1));
    }

    [Fact]
    public void A_context_for_a_hub_that_is_not_registered_says_so()
    {
        var services = new ServiceCollection().AddLogging().AddHubs([typeof(ChatHub)]).Services.AddSingleton<ProgressGate>().BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IHubContext<EventsHub>>());
        Assert.Contains("is not one of the hubs AddHubs registered", error.Message, StringComparison.Ordinal);
    }
}
