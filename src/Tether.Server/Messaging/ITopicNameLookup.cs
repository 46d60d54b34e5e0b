namespace Tether.Server.Messaging;

/// <summary>
/// A bus that hands out the name of a topic it holds, looked up by its spelling, so that a caller addressing the same
/// topic on every message (a connection's own topic) reuses one string instead of building one per message.
/// </summary>
internal interface ITopicNameLookup
{
    /// <summary>The name of the topic spelled <paramref name="name"/>, if the bus holds it now.</summary>
    /// <param name="name">The topic name's characters.</param>
    /// <returns>The bus's string for that name, or <see langword="null"/> when it holds no such topic.</returns>
    string? FindTopicName(ReadOnlySpan<char> name);
}
