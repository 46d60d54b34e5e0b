using System;

namespace Tether.Client.Infrastructure;

/// <summary>
/// The <c>/start</c> request failed, or the transport failed while it was in flight. Unlike other start failures,
/// this one does not make <see cref="Transports.AutoTransport"/> try the next transport.
/// </summary>
public class StartException : Exception
{
    /// <summary>Creates an exception.</summary>
    public StartException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public StartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StartException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
