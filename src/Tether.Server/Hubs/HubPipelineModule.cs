namespace Tether.Server.Hubs;

/// <summary>
/// A step of the hub pipeline, as classic's: hooks before and after each incoming call, client call, connect,
/// reconnect and disconnect, an error hook, and hub connect authorization. Register modules in dependency injection
/// (<c>services.AddSingleton&lt;HubPipelineModule, MyModule&gt;()</c>); the first registered runs outermost.
/// </summary>
public abstract class HubPipelineModule
{
    /// <summary>Wraps the incoming call: before, after, and error hooks around <paramref name="invoke"/>.</summary>
    /// <param name="invoke">The rest of the pipeline.</param>
    /// <returns>The wrapped call.</returns>
    public virtual Func<IHubIncomingInvokerContext, Task<object?>> BuildIncoming(Func<IHubIncomingInvokerContext, Task<object?>> invoke) =>
        async context =>
        {
            if (!OnBeforeIncoming(context))
            {
                return null;
            }

            try
            {
                return OnAfterIncoming(await invoke(context).ConfigureAwait(false), context);
            }
            catch (Exception ex)
            {
                var error = new ExceptionContext(ex);
                OnIncomingError(error, context);
                if (error.Error is { } still)
                {
                    if (ReferenceEquals(still, ex))
                    {
                        throw;
                    }

                    throw still;
                }

                return error.Result;
            }
        };

    /// <summary>Wraps the hub's <c>OnConnected</c>.</summary>
    /// <param name="connect">The rest of the pipeline.</param>
    /// <returns>The wrapped event.</returns>
    public virtual Func<IHub, Task> BuildConnect(Func<IHub, Task> connect) => Around(connect, OnBeforeConnect, OnAfterConnect);

    /// <summary>Wraps the hub's <c>OnReconnected</c>.</summary>
    /// <param name="reconnect">The rest of the pipeline.</param>
    /// <returns>The wrapped event.</returns>
    public virtual Func<IHub, Task> BuildReconnect(Func<IHub, Task> reconnect) => Around(reconnect, OnBeforeReconnect, OnAfterReconnect);

    /// <summary>Wraps the hub's <c>OnDisconnected</c>.</summary>
    /// <param name="disconnect">The rest of the pipeline.</param>
    /// <returns>The wrapped event.</returns>
    public virtual Func<IHub, bool, Task> BuildDisconnect(Func<IHub, bool, Task> disconnect) =>
        async (hub, stopCalled) =>
        {
            if (OnBeforeDisconnect(hub, stopCalled))
            {
                await disconnect(hub, stopCalled).ConfigureAwait(false);
            }

            OnAfterDisconnect(hub, stopCalled);
        };

    /// <summary>Wraps the decision whether a request may use a hub.</summary>
    /// <param name="authorizeConnect">The rest of the pipeline.</param>
    /// <returns>The wrapped decision.</returns>
    public virtual Func<HubDescriptor, IRequest, bool> BuildAuthorizeConnect(Func<HubDescriptor, IRequest, bool> authorizeConnect) =>
        (hub, request) => OnBeforeAuthorizeConnect(hub, request) && authorizeConnect(hub, request);

    /// <summary>Wraps the choice of the groups a reconnecting client rejoins.</summary>
    /// <param name="rejoiningGroups">The rest of the pipeline.</param>
    /// <returns>The wrapped choice.</returns>
    public virtual Func<HubDescriptor, IRequest, IList<string>, IList<string>> BuildRejoiningGroups(Func<HubDescriptor, IRequest, IList<string>, IList<string>> rejoiningGroups) => rejoiningGroups;

    /// <summary>Wraps each call of a client method.</summary>
    /// <param name="send">The rest of the pipeline.</param>
    /// <returns>The wrapped call.</returns>
    public virtual Func<IHubOutgoingInvokerContext, Task> BuildOutgoing(Func<IHubOutgoingInvokerContext, Task> send) =>
        async context =>
        {
            if (OnBeforeOutgoing(context))
            {
                await send(context).ConfigureAwait(false);
                OnAfterOutgoing(context);
            }
        };

    /// <summary>Runs before a request may use a hub; <see langword="false"/> refuses it.</summary>
    /// <param name="hubDescriptor">The hub.</param>
    /// <param name="request">The request.</param>
    /// <returns>Whether to go on.</returns>
    protected virtual bool OnBeforeAuthorizeConnect(HubDescriptor hubDescriptor, IRequest request) => true;

    /// <summary>Runs before <c>OnConnected</c>; <see langword="false"/> skips it.</summary>
    /// <param name="hub">The hub instance.</param>
    /// <returns>Whether to go on.</returns>
    protected virtual bool OnBeforeConnect(IHub hub) => true;

    /// <summary>Runs after <c>OnConnected</c>.</summary>
    /// <param name="hub">The hub instance.</param>
    protected virtual void OnAfterConnect(IHub hub)
    {
    }

    /// <summary>Runs before <c>OnReconnected</c>; <see langword="false"/> skips it.</summary>
    /// <param name="hub">The hub instance.</param>
    /// <returns>Whether to go on.</returns>
    protected virtual bool OnBeforeReconnect(IHub hub) => true;

    /// <summary>Runs after <c>OnReconnected</c>.</summary>
    /// <param name="hub">The hub instance.</param>
    protected virtual void OnAfterReconnect(IHub hub)
    {
    }

    /// <summary>Runs before a client method is called; <see langword="false"/> drops the call.</summary>
    /// <param name="context">The call.</param>
    /// <returns>Whether to go on.</returns>
    protected virtual bool OnBeforeOutgoing(IHubOutgoingInvokerContext context) => true;

    /// <summary>Runs after a client method call was published.</summary>
    /// <param name="context">The call.</param>
    protected virtual void OnAfterOutgoing(IHubOutgoingInvokerContext context)
    {
    }

    /// <summary>Runs before <c>OnDisconnected</c>; <see langword="false"/> skips it.</summary>
    /// <param name="hub">The hub instance.</param>
    /// <param name="stopCalled">Whether the client stopped.</param>
    /// <returns>Whether to go on.</returns>
    protected virtual bool OnBeforeDisconnect(IHub hub, bool stopCalled) => true;

    /// <summary>Runs after <c>OnDisconnected</c>.</summary>
    /// <param name="hub">The hub instance.</param>
    /// <param name="stopCalled">Whether the client stopped.</param>
    protected virtual void OnAfterDisconnect(IHub hub, bool stopCalled)
    {
    }

    /// <summary>Runs before a hub method; <see langword="false"/> skips it (the caller gets no result).</summary>
    /// <param name="context">The call.</param>
    /// <returns>Whether to go on.</returns>
    protected virtual bool OnBeforeIncoming(IHubIncomingInvokerContext context) => true;

    /// <summary>Runs after a hub method; may replace its result.</summary>
    /// <param name="result">The method's result.</param>
    /// <param name="context">The call.</param>
    /// <returns>The result the caller gets.</returns>
    protected virtual object? OnAfterIncoming(object? result, IHubIncomingInvokerContext context) => result;

    /// <summary>Runs when a hub method throws; may replace the error or set a result.</summary>
    /// <param name="exceptionContext">The error.</param>
    /// <param name="invokerContext">The call.</param>
    protected virtual void OnIncomingError(ExceptionContext exceptionContext, IHubIncomingInvokerContext invokerContext)
    {
    }

    private static Func<IHub, Task> Around(Func<IHub, Task> inner, Func<IHub, bool> before, Action<IHub> after) =>
        async hub =>
        {
            if (before(hub))
            {
                await inner(hub).ConfigureAwait(false);
            }

            after(hub);
        };
}
