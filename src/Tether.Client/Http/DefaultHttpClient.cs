using System;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Http;

/// <summary>
/// The default <see cref="IHttpClient"/>: two handlers, one for long-running receive requests and one for the short
/// ones, so that a held poll never delays a send. Each comes from <see cref="CreateHandler"/>, which applies the
/// connection's credentials (with pre-authentication), cookies, proxy, client certificates and server-certificate
/// validation, then <see cref="Connection.HttpMessageHandlerFactory"/>. Requests go straight to the handler through an
/// <see cref="HttpMessageInvoker"/> (no timeout, no buffering, nothing linked per request), and come back as soon as
/// the response headers have arrived.
/// </summary>
/// <remarks>
/// When <see cref="Initialize"/> replaces the handlers (a new start), or <see cref="Dispose()"/> releases them,
/// requests already in flight go on to their end on the handler they started with; a request that races with the
/// replacement goes out on the new handler. After <see cref="Dispose()"/>, new requests throw
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public class DefaultHttpClient : IHttpClient, IDisposable
{
    private readonly object _lock = new();
    private HttpMessageInvoker? _longRunningClient;
    private HttpMessageInvoker? _shortRunningClient;
    private Connection? _connection;
    private bool _disposed;

    /// <summary>The connection given to <see cref="Initialize"/>, whose settings the handlers apply.</summary>
    protected Connection? Connection => _connection;

    /// <inheritdoc/>
    public void Initialize(Connection connection)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        _connection = connection;
        HttpMessageInvoker? longRunning = CreateClient();
        HttpMessageInvoker? shortRunning = CreateClient();
        lock (_lock)
        {
            _disposed = false;

            (longRunning, _longRunningClient) = (_longRunningClient, longRunning);
            (shortRunning, _shortRunningClient) = (_shortRunningClient, shortRunning);
        }

        // The clients of a previous start, if any.
        longRunning?.Dispose();
        shortRunning?.Dispose();
    }

    /// <inheritdoc/>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken)
    {
        while (true)
        {
            HttpMessageInvoker invoker = Current(isLongRunning);
            try
            {
                return invoker.SendAsync(request, cancellationToken);
            }
            catch (ObjectDisposedException) when (IsReplaced(invoker, isLongRunning))
            {
                // Initialize replaced the handler between the read and the send: send on the new one.
            }
        }
    }

    /// <summary>Releases the handlers.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the handlers.</summary>
    /// <param name="disposing">Whether <see cref="Dispose()"/> was called.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        HttpMessageInvoker? longRunning;
        HttpMessageInvoker? shortRunning;
        lock (_lock)
        {
            _disposed = true;
            (longRunning, _longRunningClient) = (_longRunningClient, null);
            (shortRunning, _shortRunningClient) = (_shortRunningClient, null);
        }

        longRunning?.Dispose();
        shortRunning?.Dispose();
    }

    /// <summary>Creates one handler from the connection's settings. Override to change it; the result still goes through <see cref="Connection.HttpMessageHandlerFactory"/>.</summary>
    /// <returns>The handler.</returns>
    protected virtual HttpMessageHandler CreateHandler()
    {
        Connection connection = _connection ?? throw new InvalidOperationException("DefaultHttpClient.Initialize must be called first.");
        var handler = new HttpClientHandler
        {
            Credentials = connection.Credentials,
            PreAuthenticate = true,
        };

        if (connection.CookieContainer != null)
        {
            handler.CookieContainer = connection.CookieContainer;
        }

        if (connection.Proxy != null)
        {
            handler.Proxy = connection.Proxy;
        }

        foreach (X509Certificate certificate in connection.Certificates)
        {
            handler.ClientCertificates.Add(certificate);
        }

        if (connection.ServerCertificateValidationCallback is { } validate)
        {
            handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => validate(request, certificate, chain, errors);
        }

        return handler;
    }

    private HttpMessageInvoker Current(bool isLongRunning)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(DefaultHttpClient));
            }

            return (isLongRunning ? _longRunningClient : _shortRunningClient)
                ?? throw new InvalidOperationException("DefaultHttpClient.Initialize must be called before SendAsync.");
        }
    }

    /// <summary>Whether <see cref="Initialize"/> put another handler in place of <paramref name="invoker"/> (not disposed since).</summary>
    private bool IsReplaced(HttpMessageInvoker invoker, bool isLongRunning)
    {
        lock (_lock)
        {
            HttpMessageInvoker? current = isLongRunning ? _longRunningClient : _shortRunningClient;
            return !_disposed && current != null && !ReferenceEquals(current, invoker);
        }
    }

    private HttpMessageInvoker CreateClient()
    {
        HttpMessageHandler handler = CreateHandler();
        if (_connection?.HttpMessageHandlerFactory is { } factory)
        {
            handler = factory(handler) ?? throw new InvalidOperationException("Connection.HttpMessageHandlerFactory returned null.");
        }

        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
