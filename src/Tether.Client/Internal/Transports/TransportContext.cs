using System;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Tether.Client.Transports;

namespace Tether.Client.Internal.Transports;

/// <summary>
/// What a transport session may use of its connection for one attempt: settings, tokens and the connection's HTTP
/// plumbing. Nothing here changes the connection's state; a session reports through its <see cref="TransportOutput"/>.
/// </summary>
internal sealed class TransportContext
{
    private readonly Connection _connection;
    private readonly ConnectionRun _run;
    private readonly ClientTransportBase _descriptor;

    public TransportContext(Connection connection, ConnectionRun run, ClientTransportBase descriptor, ILogger logger)
    {
        _connection = connection;
        _run = run;
        _descriptor = descriptor;
        Logger = logger;
    }

    public ILogger Logger { get; }

    public TimeProvider TimeProvider => _connection.TimeProvider;

    /// <summary>Cancelled when <c>Stop</c> begins: finish the current receive (the server ends it after <c>/abort</c>) and never reconnect.</summary>
    public CancellationToken StopToken => _run.StopCts.Token;

    /// <summary>Cancelled when the connection is torn down: abandon everything at once.</summary>
    public CancellationToken DisconnectToken => _run.DisconnectCts.Token;

    /// <summary>The server's transport connect timeout plus the client's: the bound on opening a receive channel.</summary>
    public TimeSpan ConnectTimeout => _run.ConnectTimeout;

    /// <summary>Whether payloads should keep their text for the connection's message trace.</summary>
    public bool TraceMessages => _connection.TracesMessages;

    /// <summary>The URL of <c>/send</c>.</summary>
    public Uri SendUrl(string transport) => _connection.UrlsFor(_run, transport).Send;

    /// <summary>Starts an HTTP request with the connection's headers, credentials and tokens; check the response with <see cref="EnsureSuccess"/>.</summary>
    public Task<HttpResponseMessage> StartHttpAsync(HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken) =>
        _connection.StartHttpAsync(_descriptor.HttpClient, request, isLongRunning, cancellationToken);

    /// <summary>Returns a success response; disposes any other and throws <see cref="HttpClientException"/>.</summary>
    public static HttpResponseMessage EnsureSuccess(HttpResponseMessage response) => Connection.EnsureSuccess(response);

    /// <summary>Applies the connection's headers, cookies, credentials, proxy, certificates and validation callback to a WebSocket.</summary>
    public Task ConfigureWebSocketAsync(ClientWebSocketOptions options, CancellationToken cancellationToken) =>
        _connection.ConfigureWebSocketAsync(options, cancellationToken);

    /// <summary>Bytes arrived from the server: a message, a keep-alive or a long-polling keep-alive space.</summary>
    public void MarkActivity() => Interlocked.Exchange(ref _run.LastMessageAt, _connection.TimeProvider.GetTimestamp());
}
