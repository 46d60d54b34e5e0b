using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>
/// The <see cref="IConnection"/> and <see cref="IConnectionGroupManager"/> of one connection type: serializes each value
/// once and publishes the same bytes to the topic that reaches the receivers.
/// </summary>
internal sealed class ConnectionMessenger : IConnection, IConnectionGroupManager
{
    private readonly IMessageBus _bus;
    private readonly string _typeName;
    private readonly JsonSerializerOptions _json;
    private readonly Diagnostics.TetherServerMetrics _metrics;

    /// <summary>How the options write a string, the commonest value (an echo's): looked up once, not per message.</summary>
    private JsonTypeInfo<string>? _stringInfo;

    public ConnectionMessenger(IMessageBus bus, string typeName, JsonSerializerOptions json, Diagnostics.TetherServerMetrics metrics)
    {
        _metrics = metrics;
        _bus = bus;
        _typeName = typeName;
        _json = json;
        DefaultSignal = Topics.ForConnectionType(typeName);
    }

    public string DefaultSignal { get; }

    public Task Send(string connectionId, object? value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        return _bus.PublishAsync(new Message(Topics.ForConnection(connectionId, _bus), Serialize(value)), cancellationToken).AsTask();
    }

    public async Task Send(IReadOnlyList<string> connectionIds, object? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionIds);
        foreach (string id in connectionIds)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, nameof(connectionIds));
        }

        byte[] payload = Serialize(value);
        foreach (string id in connectionIds)
        {
            await _bus.PublishAsync(new Message(Topics.ForConnection(id, _bus), payload), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task Broadcast(object? value, params string[] excludeConnectionIds) =>
        Broadcast(value, excludeConnectionIds, CancellationToken.None);

    public Task Broadcast(object? value, IReadOnlyList<string> excludeConnectionIds, CancellationToken cancellationToken) =>
        _bus.PublishAsync(new Message(DefaultSignal, Serialize(value), excludeConnectionIds), cancellationToken).AsTask();

    public Task Add(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        string qualified = Topics.QualifiedGroup(_typeName, groupName);

        // Capture the group's position now: the member reads from here even if it only processes the command later,
        // so a message sent to the group right after Add completes is never missed.
        ulong position = _bus.GetNextId(Topics.ForQualifiedGroup(qualified));
        var command = new Command(CommandType.AddToGroup, qualified, position);
        return _bus.PublishAsync(Message.ForCommand(Topics.ForConnection(connectionId), command), cancellationToken).AsTask();
    }

    public Task Remove(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        var command = new Command(CommandType.RemoveFromGroup, Topics.QualifiedGroup(_typeName, groupName));
        return _bus.PublishAsync(Message.ForCommand(Topics.ForConnection(connectionId), command), cancellationToken).AsTask();
    }

    public Task Send(string groupName, object? value, params string[] excludeConnectionIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        var topic = Topics.ForQualifiedGroup(Topics.QualifiedGroup(_typeName, groupName));
        return _bus.PublishAsync(new Message(topic, Serialize(value), excludeConnectionIds)).AsTask();
    }

    public async Task Send(IReadOnlyList<string> groupNames, object? value, IReadOnlyList<string>? excludeConnectionIds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupNames);
        foreach (string group in groupNames)
        {
            ArgumentException.ThrowIfNullOrEmpty(group, nameof(groupNames));
        }

        byte[] payload = Serialize(value);
        foreach (string group in groupNames)
        {
            var topic = Topics.ForQualifiedGroup(Topics.QualifiedGroup(_typeName, group));
            await _bus.PublishAsync(new Message(topic, payload, excludeConnectionIds), cancellationToken).ConfigureAwait(false);
        }
    }

    private byte[] Serialize(object? value)
    {
        _metrics.MessageSent(_typeName);
        return value switch
        {
            null => "null"u8.ToArray(),
            ArraySegment<byte> json => PreserializedJson.ToPayload(json, nameof(value)),
            string text => JsonSerializer.SerializeToUtf8Bytes(text, _stringInfo ??= (JsonTypeInfo<string>)JsonMetadata.For(_json, typeof(string))),
            _ => JsonSerializer.SerializeToUtf8Bytes(value, JsonMetadata.For(_json, value.GetType())),
        };
    }
}
