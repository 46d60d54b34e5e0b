using System.Text.Json;
using Tether.Server.Messaging;

namespace Tether.Server.Hubs.Internal;

/// <summary>Publishes calls of client methods of one hub to the topics that reach the addressed clients.</summary>
internal sealed class HubClientSender(IMessageBus bus, string hubName, JsonSerializerOptions json)
{
    public string HubName { get; } = hubName;

    public async Task SendAsync(IReadOnlyList<string> topics, string method, object?[] args, IReadOnlyList<string>? excluded, IDictionary<string, object?>? state = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        byte[] payload = ClassicHubWire.EncodeClientInvocation(new ClientInvocation(HubName, method, args ?? [], state), json);
        foreach (string topic in topics)
        {
            await bus.PublishAsync(new Message(topic, payload, excluded is { Count: > 0 } ? excluded : null)).ConfigureAwait(false);
        }
    }
}
