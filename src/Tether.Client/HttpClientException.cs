using System;
using System.Net.Http;

namespace Tether.Client;

/// <summary>An HTTP request of the protocol got an answer whose status is not a success.</summary>
public class HttpClientException : Exception
{
    /// <summary>Creates an exception.</summary>
    public HttpClientException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public HttpClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public HttpClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a failed answer; the message describes it.</summary>
    /// <param name="response">The answer (already disposed: read only its status and headers).</param>
    public HttpClientException(HttpResponseMessage response)
        : base(response?.ToString())
    {
        Response = response;
    }

    /// <summary>The failed answer, when there is one. Its body has been released; its status and headers remain.</summary>
    public HttpResponseMessage? Response { get; }
}
