using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Hubs;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>Hub pipeline modules: the order of their hooks, and what they may change.</summary>
public sealed class HubPipelineTests
{
    [Fact]
    public async Task Hooks_run_outermost_first_before_and_last_after()
    {
        var log = new ConcurrentQueue<string>();
        await using var server = await StartAsync(new RecordingModule("outer", log), new RecordingModule("inner", log));
        using var client = new HubWireClient(server, """[{"Name":"events"}]""");
        await client.ConnectLongPollingAsync();
        await server.Events.WaitFor("connected " + client.ConnectionId).DefaultTimeout();
        Assert.Equal("""{"R":"pong","I":"0"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"events","M":"Ping","A":[]}""")).Body);
        await client.AbortAsync(ProtocolClient.LongPolling);
        await server.Events.WaitFor($"disconnected {client.ConnectionId} True").DefaultTimeout();

        // Authorization runs on every request of the connection; the rest once each.
        var entries = log.ToList();
        Assert.Equal(["outer authorize events", "inner authorize events"], entries.Take(2));
        Assert.Equal(
            [
                "outer before connect", "inner before connect", "inner after connect", "outer after connect",
                "outer before Ping", "inner before Ping", "inner after Ping pong", "outer after Ping pong",
                "outer before disconnect True", "inner before disconnect True", "inner after disconnect True", "outer after disconnect True",
            ],
            entries.Where(e => !e.Contains(" authorize ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_module_may_replace_results_turn_errors_into_results_skip_calls_and_change_client_calls()
    {
        await using var server = await StartAsync(new ShapingModule());
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();

        Assert.Equal("""{"R":"HELLO","I":"0"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Echo","A":["hello"]}""")).Body);
        Assert.Equal("""{"R":"recovered: secret detail","I":"1"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Crash","A":[]}""")).Body);
        Assert.Equal("""{"I":"2"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"2","H":"chat","M":"Add","A":[1,2]}""")).Body);
        await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"3","H":"chat","M":"Send","A":["dropped","x"]}""");
        await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"4","H":"chat","M":"Send","A":["kept","y"]}""");
        Assert.Equal(["""{"H":"chat","M":"addMessage","A":["kept","y","stamped"]}"""], await client.PollUntilAsync(m => m.Count >= 1));
    }

    private static Task<HubTestServer> StartAsync(params HubPipelineModule[] modules) =>
        HubTestServer.StartAsync(services: s =>
        {
            foreach (var module in modules)
            {
                s.AddSingleton(module);
            }
        });

    private sealed class RecordingModule(string name, ConcurrentQueue<string> log) : HubPipelineModule
    {
        protected override bool OnBeforeAuthorizeConnect(HubDescriptor hubDescriptor, IRequest request)
        {
            log.Enqueue($"{name} authorize {hubDescriptor.Name}");
            return true;
        }

        protected override bool OnBeforeConnect(IHub hub) => Record("before connect");

        protected override void OnAfterConnect(IHub hub) => Record("after connect");

        protected override bool OnBeforeDisconnect(IHub hub, bool stopCalled) => Record("before disconnect " + stopCalled);

        protected override void OnAfterDisconnect(IHub hub, bool stopCalled) => Record("after disconnect " + stopCalled);

        protected override bool OnBeforeIncoming(IHubIncomingInvokerContext context) => Record("before " + context.MethodDescriptor.Name);

        protected override object? OnAfterIncoming(object? result, IHubIncomingInvokerContext context)
        {
            Record($"after {context.MethodDescriptor.Name} {result}");
            return result;
        }

        private bool Record(string entry)
        {
            log.Enqueue(name + " " + entry);
            return true;
        }
    }

    private sealed class ShapingModule : HubPipelineModule
    {
        protected override bool OnBeforeIncoming(IHubIncomingInvokerContext context) => context.MethodDescriptor.Name != "Add";

        protected override object? OnAfterIncoming(object? result, IHubIncomingInvokerContext context) =>
            result is string text ? text.ToUpperInvariant() : result;

        protected override void OnIncomingError(ExceptionContext exceptionContext, IHubIncomingInvokerContext invokerContext) =>
            exceptionContext.Result = "recovered: " + exceptionContext.Error!.Message;

        protected override bool OnBeforeOutgoing(IHubOutgoingInvokerContext context)
        {
            context.Invocation.Args = [.. context.Invocation.Args, "stamped"];
            return !Equals(context.Invocation.Args[0], "dropped");
        }
    }
}
