namespace Tether.Server.Messaging;

/// <summary>
/// The message bus cannot take the operation now (a backplane is unreachable, timed out or refused it); nothing was
/// published. Tether.Server answers requests that fail this way with 503 Service Unavailable and a <c>Retry-After</c>
/// header instead of 500.
/// </summary>
public class MessageBusUnavailableException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public MessageBusUnavailableException()
        : base("The message bus is unavailable.")
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong.</param>
    public MessageBusUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MessageBusUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How long callers should wait before they try again; sent as <c>Retry-After</c>. Default: 5 s.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}
