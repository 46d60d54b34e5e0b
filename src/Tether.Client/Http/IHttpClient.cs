using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Http;

/// <summary>Sends the HTTP requests of the protocol (negotiate, start, send, abort, and the HTTP transports' receive requests).</summary>
/// <remarks>
/// The connection builds each request (URL, method, body, headers, tokens) and hands it here. Replace it to route
/// requests through a test handler or a custom stack; <see cref="DefaultHttpClient"/> is the usual choice.
/// </remarks>
public interface IHttpClient
{
    /// <summary>Called at each start, before any request, with the connection whose settings (credentials, cookies, proxy, certificates) apply.</summary>
    /// <param name="connection">The connection.</param>
    void Initialize(Connection connection);

    /// <summary>Sends a request and returns once the response headers have arrived.</summary>
    /// <param name="request">The request.</param>
    /// <param name="isLongRunning">Whether the response may stay open for long (Server-Sent Events, long polls).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, whatever its status; the caller disposes it.</returns>
    Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken);
}
