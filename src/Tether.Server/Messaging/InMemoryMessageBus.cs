using Microsoft.Extensions.Options;

namespace Tether.Server.Messaging;

/// <summary>PLACEHOLDER being written.</summary>
public sealed class InMemoryMessageBus(IOptions<PersistentConnectionOptions> options, TimeProvider timeProvider) : IMessageBus
{
    /// <inheritdoc/>
    public ValueTask PublishAsync(Message message, CancellationToken cancellationToken = default) => throw new NotImplementedException(options.Value.ToString() + timeProvider);

    /// <inheritdoc/>
    public ulong GetNextId(string topic) => throw new NotImplementedException();

    /// <inheritdoc/>
    public IMessageSubscription Subscribe(IEnumerable<string> topics, string? cursor, Action onMessagesAvailable) => throw new NotImplementedException();
}
