using System;

namespace Tether.Client.Infrastructure;

/// <summary>
/// Raised through <see cref="Connection.Error"/> when a callback has been running for longer than
/// <see cref="Connection.DeadlockErrorTimeout"/>, which stalls every later callback.
/// </summary>
public class SlowCallbackException : Exception
{
    /// <summary>Creates an exception.</summary>
    public SlowCallbackException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public SlowCallbackException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SlowCallbackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
