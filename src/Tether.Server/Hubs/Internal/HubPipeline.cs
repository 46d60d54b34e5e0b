namespace Tether.Server.Hubs.Internal;

/// <summary>The registered <see cref="HubPipelineModule"/>s composed once, the first registered outermost.</summary>
internal sealed class HubPipeline
{
    public HubPipeline(IEnumerable<HubPipelineModule> modules)
    {
        var inward = modules.Reverse().ToList();
        Incoming = inward.Aggregate<HubPipelineModule, Func<IHubIncomingInvokerContext, Task<object?>>>(
            context => ((IncomingContext)context).Method.InvokeAsync(context.Hub, [.. context.Args]),
            (next, module) => module.BuildIncoming(next));
        Connect = inward.Aggregate<HubPipelineModule, Func<IHub, Task>>(hub => hub.OnConnected() ?? Task.CompletedTask, (next, module) => module.BuildConnect(next));
        Reconnect = inward.Aggregate<HubPipelineModule, Func<IHub, Task>>(hub => hub.OnReconnected() ?? Task.CompletedTask, (next, module) => module.BuildReconnect(next));
        Disconnect = inward.Aggregate<HubPipelineModule, Func<IHub, bool, Task>>((hub, stopCalled) => hub.OnDisconnected(stopCalled) ?? Task.CompletedTask, (next, module) => module.BuildDisconnect(next));
        AuthorizeConnect = inward.Aggregate<HubPipelineModule, Func<HubDescriptor, IRequest, bool>>((_, _) => true, (next, module) => module.BuildAuthorizeConnect(next));
        RejoiningGroups = inward.Aggregate<HubPipelineModule, Func<HubDescriptor, IRequest, IList<string>, IList<string>>>((_, _, groups) => groups, (next, module) => module.BuildRejoiningGroups(next));
        Outgoing = inward.Aggregate<HubPipelineModule, Func<IHubOutgoingInvokerContext, Task>>(context => ((OutgoingContext)context).PublishAsync(), (next, module) => module.BuildOutgoing(next));
    }

    public Func<IHubIncomingInvokerContext, Task<object?>> Incoming { get; }

    public Func<IHub, Task> Connect { get; }

    public Func<IHub, Task> Reconnect { get; }

    public Func<IHub, bool, Task> Disconnect { get; }

    public Func<HubDescriptor, IRequest, bool> AuthorizeConnect { get; }

    public Func<HubDescriptor, IRequest, IList<string>, IList<string>> RejoiningGroups { get; }

    public Func<IHubOutgoingInvokerContext, Task> Outgoing { get; }
}

/// <summary>One incoming call on its way through the pipeline.</summary>
internal sealed class IncomingContext(IHub hub, MethodDescriptor method, IList<object?> args, StateChangeTracker state) : IHubIncomingInvokerContext
{
    public IHub Hub { get; } = hub;

    public MethodDescriptor Method { get; } = method;

    public MethodDescriptor MethodDescriptor => Method;

    public IList<object?> Args { get; } = args;

    public StateChangeTracker StateTracker { get; } = state;
}

/// <summary>One client call on its way through the pipeline; the innermost step publishes it.</summary>
internal sealed class OutgoingContext(ClientHubInvocation invocation, IList<string> signals, IList<string> excluded, Func<OutgoingContext, Task> publish) : IHubOutgoingInvokerContext
{
    public ClientHubInvocation Invocation { get; } = invocation;

    public IList<string> Signals { get; } = signals;

    public IList<string> ExcludedSignals { get; } = excluded;

    public Task PublishAsync() => publish(this);
}
