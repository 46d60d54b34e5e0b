using System;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Http;

/// <summary>
/// The default <see cref="IHttpClient"/>: two <see cref="HttpClient"/>s without timeouts, one for long-running receive
/// requests and one for the short ones, so that a held poll never delays a send. Each gets its own handler from
/// <see cref="CreateHandler"/>, which applies the connection's credentials (with pre-authentication), cookies, proxy,
/// client certificates and server-certificate validation, then <see cref="Connection.HttpMessageHandlerFactory"/>.
/// </summary>
public class DefaultHttpClient : IHttpClient, IDisposable
{
    private readonly object _lock = new();
    private HttpClient? _longRunningClient;
    private HttpClient? _shortRunningClient;
    private Connection? _connection;

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
        HttpClient? longRunning = CreateClient();
        HttpClient? shortRunning = CreateClient();
        lock (_lock)
        {
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
        HttpClient? client;
        lock (_lock)
        {
            client = isLongRunning ? _longRunningClient : _shortRunningClient;
        }

        if (client is null)
        {
            throw new InvalidOperationException("DefaultHttpClient.Initialize must be called before SendAsync.");
        }

        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Releases the HTTP clients.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the HTTP clients.</summary>
    /// <param name="disposing">Whether <see cref="Dispose()"/> was called.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        HttpClient? longRunning;
        HttpClient? shortRunning;
        lock (_lock)
        {
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

    private HttpClient CreateClient()
    {
        HttpMessageHandler handler = CreateHandler();
        if (_connection?.HttpMessageHandlerFactory is { } factory)
        {
            handler = factory(handler) ?? throw new InvalidOperationException("Connection.HttpMessageHandlerFactory returned null.");
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
