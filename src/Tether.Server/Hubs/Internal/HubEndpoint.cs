using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tether.Server.Internal;
using Tether.Server.Internal.Transports;
using Tether.Server.Messaging;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// The persistent connection that carries hubs (classic's <c>HubDispatcher</c>): <c>connectionData</c> chooses the
/// hubs of each request, their topics are read with the connection's, each message is a hub call in the classic wire,
/// and the connection's events become the hubs' events.
/// </summary>
internal sealed class HubEndpoint(HubRuntime runtime, HubInvoker invoker, IServiceScopeFactory scopes, IOptions<PersistentConnectionOptions> options)
    : PersistentConnection
{
    /// <summary>The connection type name of hub connections in tokens, topics and groups.</summary>
    public static readonly string TypeName = ConnectionTypeName.Of(typeof(HubEndpoint));

    private readonly ParallelCalls? _parallel = runtime.Options.MaximumParallelInvocationsPerConnection > 1
        ? new ParallelCalls(runtime.Options.MaximumParallelInvocationsPerConnection)
        : null;

    protected internal override async Task<bool> AuthorizeRequest(IRequest request)
    {
        var hubs = ConnectionData.Read(request, runtime.Catalog);
        if (hubs.Count == 0)
        {
            return true;
        }

        foreach (var hub in hubs)
        {
            if (runtime.Pipeline.AuthorizeConnect(hub, request) && await runtime.Authorizer.CanConnectAsync(hub, request.User).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    internal override IReadOnlyList<string> GetSignals(IRequest request, string connectionId)
    {
        string? userId = runtime.Users.GetUserId(request);
        List<string> signals = [];
        foreach (var hub in ConnectionData.Read(request, runtime.Catalog))
        {
            signals.Add(HubTopics.All(hub.Name));
            signals.Add(HubTopics.Connection(hub.Name, connectionId));
            if (!string.IsNullOrEmpty(userId))
            {
                signals.Add(HubTopics.User(hub.Name, userId));
            }
        }

        return signals;
    }

    protected internal override Task OnReceived(IRequest request, string connectionId, string? data)
    {
        // A WebSocket's calls run side by side, as classic ran them, up to the per-connection bound; a /send request
        // (long polling, Server-Sent Events) carries one call and answers it, so it waits for it.
        if (_parallel is not null && request.HttpContext is { } context && context.Features.Get<IDirectReplyFeature>() is not null)
        {
            return _parallel.StartAsync(context, () => CallInBackgroundAsync(request, connectionId, data));
        }

        return CallAsync(request, connectionId, data);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "MapHubs, the only way in, requires unreferenced code.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "MapHubs, the only way in, requires dynamic code.")]
    private async Task CallAsync(IRequest request, string connectionId, string? data)
    {
        var invocation = ClassicHubWire.TryParse(data, runtime.Options.MaxStateLength, out string? id, out string? error);
        if (invocation is null)
        {
            HubLog.CallMalformed(runtime.Logger, connectionId, error!);
            if (id is null)
            {
                await InvocationReply.RejectAsync(request, error!).ConfigureAwait(false);
                return;
            }

            await ReplyAsync(request, new HubInvocationResult(id) { Error = error }).ConfigureAwait(false);
            return;
        }

        var result = await invoker.InvokeAsync(invocation, request, connectionId, (value, state) => SendProgressAsync(connectionId, invocation.Id, value, state)).ConfigureAwait(false);
        await ReplyAsync(request, result).ConfigureAwait(false);
    }

    /// <summary>A call that runs beside the socket's read loop: it reports its own failures.</summary>
    private async Task CallInBackgroundAsync(IRequest request, string connectionId, string? data)
    {
        try
        {
            await CallAsync(request, connectionId, data).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or WebSocketException or ObjectDisposedException)
        {
            HubLog.ReplyLost(runtime.Logger, connectionId, ex.Message);
        }
        catch (Exception ex) when (RequestFaultHandler.FindUnavailable(ex) is { } unavailable)
        {
            HubLog.ReplyLost(runtime.Logger, connectionId, unavailable.Message);
        }
        catch (Exception ex)
        {
            HubLog.CallFailed(runtime.Logger, connectionId, ex);
        }
    }

    protected internal override Task OnConnected(IRequest request, string connectionId) =>
        RaiseAsync(request, connectionId, nameof(Hub.OnConnected), runtime.Pipeline.Connect);

    protected internal override Task OnReconnected(IRequest request, string connectionId) =>
        RaiseAsync(request, connectionId, nameof(Hub.OnReconnected), runtime.Pipeline.Reconnect);

    protected internal override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled) =>
        RaiseAsync(request, connectionId, nameof(Hub.OnDisconnected), hub => runtime.Pipeline.Disconnect(hub, stopCalled));

    /// <summary>Of the groups in the token, those of this request's hubs, as the pipeline chooses.</summary>
    protected internal override Task<IList<string>> OnRejoiningGroups(IRequest request, IList<string> groups, string connectionId)
    {
        List<string> kept = [];
        foreach (var hub in ConnectionData.Read(request, runtime.Catalog))
        {
            string prefix = hub.Name + ".";
            IList<string> names = [.. groups.Where(g => g.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(g => g[prefix.Length..])];
            kept.AddRange(runtime.Pipeline.RejoiningGroups(hub, request, names).Select(g => prefix + g));
        }

        return Task.FromResult<IList<string>>(kept);
    }

    private Task ReplyAsync(IRequest request, HubInvocationResult result) =>
        InvocationReply.SendAsync(request, InvocationReply.Encode(result, runtime.Json), options.Value.WriteTimeout);

    private Task SendProgressAsync(string connectionId, string id, object? value, IDictionary<string, object?>? state)
    {
        byte[] payload = ClassicHubWire.EncodeProgress(id, value, state, runtime.Json);
        return runtime.Bus.PublishAsync(new Message(Topics.ForConnection(connectionId), payload)).AsTask();
    }

    /// <summary>Raises an event on a fresh instance of each hub of the request; a failing hub does not stop the others.</summary>
    private async Task RaiseAsync(IRequest request, string connectionId, string name, Func<IHub, Task> raise)
    {
        Exception? first = null;
        foreach (var hub in ConnectionData.Read(request, runtime.Catalog))
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                try
                {
                    using var instance = runtime.Activate(hub, scope.ServiceProvider, request, connectionId, new StateChangeTracker());
                    await raise(instance).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    HubLog.EventFailed(runtime.Logger, hub.Name, name, connectionId, ex);
                    first ??= ex;
                }
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
