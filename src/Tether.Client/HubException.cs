using System;

namespace Tether.Client;

/// <summary>A hub method threw a <c>HubException</c> on the server; <see cref="ErrorData"/> is the data it carried.</summary>
public class HubException : Exception
{
    /// <summary>Creates an exception without a message.</summary>
    public HubException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public HubException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and error data.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errorData">The data.</param>
    public HubException(string message, object? errorData)
        : base(message)
    {
        ErrorData = errorData;
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public HubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The error data the server sent (<c>D</c>): for exceptions from the server, a <see cref="System.Text.Json.JsonElement"/>
    /// (where the classic client gave a Json.NET <c>JToken</c>); <see langword="null"/> when there was none.
    /// </summary>
    public object? ErrorData { get; }
}
