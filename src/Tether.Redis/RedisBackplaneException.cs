using Tether.Server.Messaging;

namespace Tether.Redis;

/// <summary>
/// A message could not be published because Redis is unreachable, timed out or refused the command. Tether.Redis fails
/// fast instead of queueing: the caller learns at once that its message was not sent.
/// </summary>
/// <remarks>
/// After a timeout the outcome is unknown: Redis may have published the message after all. Other failures mean the
/// message was not published.
/// </remarks>
public sealed class RedisBackplaneException : MessageBusUnavailableException
{
    /// <summary>Creates an exception with a default message.</summary>
    public RedisBackplaneException()
        : base("The message could not be published to Redis.")
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong.</param>
    public RedisBackplaneException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The StackExchange.Redis exception.</param>
    public RedisBackplaneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
