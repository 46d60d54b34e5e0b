using System.Text.Json;
using Tether.Server.Messaging;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// Calls client methods of one hub: each call goes through the pipeline's outgoing hooks, then is published once per
/// topic that reaches the addressed clients.
/// </summary>
internal sealed class HubClientSender(IMessageBus bus, string hubName, JsonSerializerOptions json, HubPipeline pipeline)
{
    public string HubName { get; } = hubName;

    public Task SendAsync(IReadOnlyList<string> topics, string method, object?[] args, IReadOnlyList<string>? excluded, IDictionary<string, object?>? state = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var invocation = new ClientHubInvocation { Hub = HubName, Method = method, Args = args ?? [], State = state };
        return pipeline.Outgoing(new OutgoingContext(invocation, [.. topics], [.. excluded ?? []], PublishAsync));
    }

    private async Task PublishAsync(OutgoingContext context)
    {
        byte[] payload = ClassicHubWire.EncodeClientInvocation(context.Invocation, json);
        var excluded = context.ExcludedSignals.Count > 0 ? context.ExcludedSignals.ToArray() : null;
        foreach (string topic in context.Signals)
        {
            await bus.PublishAsync(new Message(topic, payload, excluded)).ConfigureAwait(false);
        }
    }
}
