namespace Tether.Server.Messaging;

/// <summary>What every topic of one bus shares: its bounds, how ids are assigned, its budget and clock.</summary>
/// <param name="Capacity">The most messages a topic keeps (at least 1).</param>
/// <param name="MaxBytes">The most payload bytes a topic keeps; its newest message always stays.</param>
/// <param name="DenseIds">
/// Whether the topic numbers its own messages 0, 1, 2... (the in-process bus); otherwise ids come from outside, only
/// increase, and may be sparse (a scale-out bus's global ids).
/// </param>
/// <param name="AppendKeepsAlive">Whether a message restarts the topic's idle time (not only subscribers do).</param>
/// <param name="Budget">The byte budget of all topics of the bus.</param>
/// <param name="Time">The clock of the idle time.</param>
internal sealed record TopicSettings(int Capacity, long MaxBytes, bool DenseIds, bool AppendKeepsAlive, BufferBudget Budget, TimeProvider Time)
{
    /// <summary>The settings of a bus, from its options.</summary>
    /// <param name="options">The options.</param>
    /// <param name="denseIds">See <see cref="DenseIds"/>.</param>
    /// <param name="appendKeepsAlive">See <see cref="AppendKeepsAlive"/>.</param>
    /// <param name="time">The clock.</param>
    /// <returns>The settings.</returns>
    public static TopicSettings From(PersistentConnectionOptions options, bool denseIds, bool appendKeepsAlive, TimeProvider time) => new(
        Math.Clamp(options.DefaultMessageBufferSize, 1, Array.MaxLength - 1),
        Math.Max(1, options.MaxTopicBufferBytes),
        denseIds,
        appendKeepsAlive,
        new BufferBudget(options.MaxBufferedBytes),
        time);
}
