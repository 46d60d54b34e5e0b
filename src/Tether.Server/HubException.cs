namespace Tether.Server;

/// <summary>
/// An error a hub method throws on purpose: its message (and <see cref="ErrorData"/>) reach the calling client even when
/// detailed errors are off, and the client sees it as a hub exception.
/// </summary>
public class HubException : Exception
{
    /// <summary>Creates a hub exception without a message.</summary>
    public HubException()
    {
    }

    /// <summary>Creates a hub exception with a message for the client.</summary>
    /// <param name="message">The message the client receives.</param>
    public HubException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a hub exception with a message and data for the client.</summary>
    /// <param name="message">The message the client receives.</param>
    /// <param name="errorData">A value serialized to JSON and sent to the client with the error.</param>
    public HubException(string message, object? errorData)
        : base(message)
    {
        ErrorData = errorData;
    }

    /// <summary>Creates a hub exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message the client receives.</param>
    /// <param name="innerException">The cause.</param>
    public HubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The data sent to the client with the error, or <see langword="null"/>.</summary>
    public object? ErrorData { get; }
}
