using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tether.Client.Http;
using Tether.Client.Internal;
using Tether.Client.Transports;

namespace Tether.Client;

/// <summary>
/// A client connection to a classic ASP.NET SignalR 2.x persistent connection (or to Tether.Server), with the API of
/// the classic <c>Microsoft.AspNet.SignalR.Client.Connection</c> and its behaviour on the wire.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle: <see cref="Start()"/> negotiates, opens a transport, waits for the init message and sends <c>/start</c>;
/// it completes once the connection is <see cref="ConnectionState.Connected"/> and the messages that arrived meanwhile
/// have been handed to <see cref="Received"/>. A lost receive channel makes the transport reconnect with the last
/// message id and groups token, so nothing is lost; after <c>DisconnectTimeout</c> of failed reconnects the connection
/// raises <see cref="Error"/> with a <see cref="TimeoutException"/> and closes, unless <see cref="RetryPolicy"/> says to
/// negotiate again. <see cref="Stop()"/> sends <c>/abort</c> (bounded in time) and raises <see cref="Closed"/> once.
/// <see cref="Error"/> never stops the connection by itself.
/// </para>
/// <para>
/// Callbacks: every event handler, <see cref="Received"/> included, runs on the connection's own dispatch loop, one at
/// a time, in order, never on a transport's read loop and never under a lock. A slow handler delays later callbacks
/// but not the transport, and <see cref="Stop()"/> called from a handler returns at once instead of blocking.
/// </para>
/// </remarks>
public partial class Connection : IDisposable, IAsyncDisposable
{
    /// <summary>How long <see cref="Stop()"/> waits, by default, for the abort and the end of the receive channel.</summary>
    internal static readonly TimeSpan DefaultAbortTimeout = TimeSpan.FromSeconds(30);

    private readonly object _lock = new();
    private readonly string _userUrl;
    private readonly string? _userQueryString;
    private readonly X509CertificateCollection _certificates = [];
    private readonly Dispatcher _dispatcher;
    private readonly Diagnostics.ClientTelemetry _telemetry = new();

    private ConnectionState _state = ConnectionState.Disconnected;
    private ConnectionRun? _run;
    private Task? _startTask;
    private IClientTransport? _transport;
    private KeepAliveData? _keepAliveData;
    private string? _connectionId;
    private string? _connectionToken;
    private string? _messageId;
    private string? _groupsToken;
    private Exception? _lastError;

    /// <summary>The last <see cref="Protocol"/> formatted, and its text (see <c>ProtocolTextLocked</c>).</summary>
    private Version? _protocolVersion;
    private string? _protocolText;
    private TextWriter _traceWriter = TextWriter.Null;
    private TextWriter _syncTraceWriter = TextWriter.Null;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private ILogger _logger = NullLogger.Instance;
    private TimeProvider _timeProvider = TimeProvider.System;
    private JsonSerializerOptions _jsonSerializerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private Subscriber[] _subscribers = [];
    private bool _disposed;

    /// <summary>Creates a connection to an endpoint, e.g. <c>http://host/echo</c>.</summary>
    /// <param name="url">The endpoint URL, without a query string.</param>
    public Connection(string url)
        : this(url, (string?)null)
    {
    }

    /// <summary>Creates a connection with custom query-string values, sent on every request.</summary>
    /// <param name="url">The endpoint URL, without a query string.</param>
    /// <param name="queryString">The values, joined as <c>key=value&amp;…</c> without encoding, as the classic client does.</param>
    public Connection(string url, IDictionary<string, string> queryString)
        : this(url, CreateQueryString(queryString))
    {
    }

    /// <summary>Creates a connection with a custom query string, sent on every request.</summary>
    /// <param name="url">The endpoint URL, without a query string.</param>
    /// <param name="queryString">The query string, e.g. <c>a=1&amp;b=2</c>; it is sent as given.</param>
    public Connection(string url, string? queryString)
    {
        if (url is null)
        {
            throw new ArgumentNullException(nameof(url));
        }

        if (url.IndexOf('?') >= 0)
        {
            throw new ArgumentException(Resources.UrlCantContainQueryStringDirectly, nameof(url));
        }

        if (!url.EndsWith("/", StringComparison.Ordinal))
        {
            url += "/";
        }

        _userUrl = url;
        _userQueryString = queryString;
        _dispatcher = new Dispatcher(Invoke, OnSlowCallback, () => DeadlockErrorTimeout, TimeProvider.System);
    }

    /// <summary>The message of each message the server sends: a JSON string arrives unquoted, any other value as indented JSON text.</summary>
    public event Action<string>? Received;

    /// <summary>An error happened (a failed send, a transport failure, a handler that threw). It does not stop the connection.</summary>
    public event Action<Exception>? Error;

    /// <summary>The connection became <see cref="ConnectionState.Disconnected"/>: stopped, failed to start, or gave up. Raised once per close.</summary>
    public event Action? Closed;

    /// <summary>The receive channel was lost and the transport is reconnecting.</summary>
    public event Action? Reconnecting;

    /// <summary>The transport reconnected; missed messages follow.</summary>
    public event Action? Reconnected;

    /// <summary>The state changed.</summary>
    public event Action<StateChange>? StateChanged;

    /// <summary>No message or keep-alive came for two thirds of the keep-alive timeout.</summary>
    public event Action? ConnectionSlow;

    /// <summary>The endpoint URL given to the constructor, ending with <c>/</c>.</summary>
    public string Url => _userUrl;

    /// <summary>The custom query string given to the constructor.</summary>
    public string? QueryString => _userQueryString;

    /// <summary>The client protocol version sent as <c>clientProtocol</c>. Default: 2.1, as the 2.4 clients.</summary>
    public Version Protocol { get; set; } = new(2, 1);

    /// <summary>Application values kept with the connection (case-insensitive keys).</summary>
    public IDictionary<string, object> Items { get; } = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Headers sent on every request, the WebSocket handshake included.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

    /// <summary>Cookies sent and stored by every request, the WebSocket handshake included.</summary>
    public CookieContainer? CookieContainer { get; set; }

    /// <summary>Credentials for every request (pre-authenticated), the WebSocket handshake included.</summary>
    public ICredentials? Credentials { get; set; }

    /// <summary>The proxy for every request, the WebSocket handshake included.</summary>
    public IWebProxy? Proxy { get; set; }

    /// <summary>The client certificates offered on every request; add with <see cref="AddClientCertificate"/>.</summary>
    public X509CertificateCollection Certificates => _certificates;

    /// <summary>What <see cref="TraceWriter"/> receives. Default: everything.</summary>
    public TraceLevels TraceLevel { get; set; } = TraceLevels.All;

    /// <summary>Where traces go, filtered by <see cref="TraceLevel"/>. Default: nowhere (<see cref="TextWriter.Null"/>).</summary>
    public TextWriter TraceWriter
    {
        get => _traceWriter;
        set
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            _traceWriter = value;
            _syncTraceWriter = value == TextWriter.Null ? TextWriter.Null : TextWriter.Synchronized(value);
        }
    }

    /// <summary>Added to the server's <c>TransportConnectTimeout</c>: how long a transport may take to deliver the init message. Default: zero.</summary>
    public TimeSpan TransportConnectTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>How long a callback may run before <see cref="Error"/> reports a <see cref="Infrastructure.SlowCallbackException"/>. Default: 10 s.</summary>
    public TimeSpan DeadlockErrorTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the connection logs (category <c>Tether.Client.Connection</c>). Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory
    {
        get => _loggerFactory;
        set
        {
            _loggerFactory = value ?? NullLoggerFactory.Instance;
            _logger = _loggerFactory.CreateLogger("Tether.Client.Connection");
        }
    }

    /// <summary>How <see cref="Send(object)"/>, <see cref="SendAsync{T}(T, CancellationToken)"/> and the typed observables serialize. Default: names as declared, relaxed escaping (as Json.NET wrote them).</summary>
    public JsonSerializerOptions JsonSerializerOptions
    {
        get => _jsonSerializerOptions;
        set => _jsonSerializerOptions = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Wraps or replaces each HTTP handler <see cref="DefaultHttpClient"/> creates (it receives the configured default handler). Not applied to the WebSocket handshake.</summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? HttpMessageHandlerFactory { get; set; }

    /// <summary>Validates the server's TLS certificate, for HTTP requests and the WebSocket handshake alike (on netstandard2.0, the handshake only on runtimes whose WebSocket supports it).</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidationCallback { get; set; }

    /// <summary>Called before every request, the WebSocket handshake included; a non-empty result is sent as <c>Authorization: Bearer …</c>.</summary>
    public Func<Task<string?>>? AccessTokenProvider { get; set; }

    /// <summary>Called before every request, the WebSocket handshake included; the headers it returns are added to <see cref="Headers"/> for that request.</summary>
    public Func<Task<IDictionary<string, string>?>>? HeadersProvider { get; set; }

    /// <summary>Opt-in: what to do once the classic reconnect window ended. <see langword="null"/> (default): close, as the classic client does.</summary>
    public IRetryPolicy? RetryPolicy { get; set; }

    /// <summary>How many sends may wait while the connection is reconnecting (and, once connected, wait their turn). Default: 1000.</summary>
    public int SendQueueLimit { get; set; } = 1000;

    /// <summary>The clock of every timer and timeout of the connection (heartbeat, reconnect delays, give-up). Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Adds a client certificate; only while disconnected.</summary>
    /// <param name="certificate">The certificate.</param>
    public void AddClientCertificate(X509Certificate certificate)
    {
        lock (_lock)
        {
            if (_state != ConnectionState.Disconnected)
            {
                throw new InvalidOperationException(Resources.CertsCanOnlyBeAddedWhenDisconnected);
            }

            _certificates.Add(certificate);
        }
    }

    /// <summary>Starts the connection with the automatic transport (WebSockets, Server-Sent Events, long polling).</summary>
    /// <returns>Completes once connected; faults if the start fails (the connection is then closed).</returns>
    public Task Start() => StartCore(null, null, CancellationToken.None);

    /// <summary>Starts the connection with the automatic transport over a given HTTP client.</summary>
    /// <param name="httpClient">The HTTP client.</param>
    /// <returns>Completes once connected.</returns>
    public Task Start(IHttpClient httpClient) => StartCore(null, httpClient ?? throw new ArgumentNullException(nameof(httpClient)), CancellationToken.None);

    /// <summary>Starts the connection with a given transport.</summary>
    /// <param name="transport">The transport.</param>
    /// <returns>Completes once connected.</returns>
    public Task Start(IClientTransport transport) => StartCore(transport ?? throw new ArgumentNullException(nameof(transport)), null, CancellationToken.None);

    /// <summary>Starts the connection with the automatic transport.</summary>
    /// <param name="cancellationToken">Cancels the start; the connection is then closed.</param>
    /// <returns>Completes once connected.</returns>
    /// <remarks>While the connection is not disconnected, returns the start in progress (or a completed task).</remarks>
    public Task StartAsync(CancellationToken cancellationToken = default) => StartCore(null, null, cancellationToken);

    /// <summary>Starts the connection with a given transport.</summary>
    /// <param name="transport">The transport.</param>
    /// <param name="cancellationToken">Cancels the start; the connection is then closed.</param>
    /// <returns>Completes once connected.</returns>
    public Task StartAsync(IClientTransport transport, CancellationToken cancellationToken = default) =>
        StartCore(transport ?? throw new ArgumentNullException(nameof(transport)), null, cancellationToken);

    /// <summary>Sends data to the server's <c>OnReceived</c>, as is.</summary>
    /// <param name="data">The data.</param>
    /// <returns>Completes once sent.</returns>
    /// <exception cref="InvalidOperationException">The connection is disconnected or still connecting.</exception>
    public Task Send(string data) => SendAsync(data, CancellationToken.None);

    /// <summary>Sends a value as JSON (<see cref="JsonSerializerOptions"/>).</summary>
    /// <param name="value">The value.</param>
    /// <returns>Completes once sent.</returns>
    public Task Send(object value) => SendAsync(Serialize(value), CancellationToken.None);

    /// <summary>Sends a value as JSON with source-generated type information.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="jsonTypeInfo">How to serialize it.</param>
    /// <param name="cancellationToken">Cancels the send while it waits its turn.</param>
    /// <returns>Completes once sent.</returns>
    public Task SendAsync<T>(T value, JsonTypeInfo<T> jsonTypeInfo, CancellationToken cancellationToken = default) =>
        SendAsync(JsonSerializer.Serialize(value, jsonTypeInfo ?? throw new ArgumentNullException(nameof(jsonTypeInfo))), cancellationToken);

    /// <summary>Sends a value as JSON (<see cref="JsonSerializerOptions"/>).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the send while it waits its turn.</param>
    /// <returns>Completes once sent.</returns>
    public Task SendAsync<T>(T value, CancellationToken cancellationToken = default) =>
        value is string text ? SendAsync(text, cancellationToken) : SendAsync(Serialize(value), cancellationToken);

    /// <summary>Stops the connection: <c>/abort</c>, then close; waits up to 30 s for the server to end the receive channel.</summary>
    /// <remarks>
    /// Called from a callback of this connection it never waits: the connection is Disconnected when it returns,
    /// StateChanged and Closed have run (nested, as with the classic client), and the abort finishes in the background.
    /// </remarks>
    public void Stop() => StopSync(null, DefaultAbortTimeout);

    /// <summary>Stops the connection, waiting at most <paramref name="timeout"/> for the abort.</summary>
    /// <param name="timeout">The bound.</param>
    public void Stop(TimeSpan timeout) => StopSync(null, timeout);

    /// <summary>Raises <see cref="Error"/> with <paramref name="error"/>, then stops the connection.</summary>
    /// <param name="error">The reason.</param>
    public void Stop(Exception error) => StopSync(error, DefaultAbortTimeout);

    /// <summary>Raises <see cref="Error"/> with <paramref name="error"/>, then stops the connection, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="error">The reason.</param>
    /// <param name="timeout">The bound.</param>
    public void Stop(Exception error, TimeSpan timeout) => StopSync(error, timeout);

    /// <summary>Stops the connection: <c>/abort</c> (at most 30 s), then close.</summary>
    /// <param name="cancellationToken">Skips the rest of the wait and closes at once.</param>
    /// <returns>Completes once closed and <see cref="Closed"/> has run (when called from a callback: once closed).</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => StopCore(null, DefaultAbortTimeout, cancellationToken);

    /// <summary>Raises <see cref="Error"/> with <paramref name="error"/>, then stops the connection.</summary>
    /// <param name="error">The reason.</param>
    /// <param name="cancellationToken">Skips the rest of the wait and closes at once.</param>
    /// <returns>Completes once closed.</returns>
    public Task StopAsync(Exception error, CancellationToken cancellationToken = default) => StopCore(error, DefaultAbortTimeout, cancellationToken);

    /// <summary>Writes a trace line to <see cref="TraceWriter"/> when <paramref name="level"/> is enabled.</summary>
    /// <param name="level">The trace's level.</param>
    /// <param name="format">A composite format string.</param>
    /// <param name="args">Its arguments.</param>
    public void Trace(TraceLevels level, string format, params object[] args)
    {
        if ((TraceLevel & level) == 0 || _syncTraceWriter == TextWriter.Null)
        {
            return;
        }

        string message = args is { Length: > 0 } ? string.Format(CultureInfo.InvariantCulture, format, args) : format;
        _syncTraceWriter.WriteLine(
            DateTime.UtcNow.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + " - " + (ConnectionId ?? "null") + " - " + message);
    }

    /// <summary>Stops the connection (as <see cref="Stop()"/>) and lets its dispatch loop end; the connection cannot be started again.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the connection and waits until every callback has run; the connection cannot be started again.</summary>
    /// <returns>Completes once disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        MarkDisposed();
        if (!_dispatcher.IsCurrent)
        {
            await _dispatcher.Completion.ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The <c>connectionData</c> sent on every request (hub connections put their hub list here). Default: none.</summary>
    /// <returns>The data, or <see langword="null"/>.</returns>
    protected virtual string? OnSending() => null;

    /// <summary>Stops the connection.</summary>
    /// <param name="disposing">Whether <see cref="Dispose()"/> was called.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        Task stop = StopCore(null, DefaultAbortTimeout, CancellationToken.None);
        if (_dispatcher.IsCurrent)
        {
            _dispatcher.RunPendingInline();
            stop.ContinueWith(_ => MarkDisposed(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Forget();
            return;
        }

        stop.GetAwaiter().GetResult();
        MarkDisposed();
    }

    private static string? CreateQueryString(IDictionary<string, string> queryString) =>
        queryString is null ? throw new ArgumentNullException(nameof(queryString)) : string.Join("&", queryString.Select(kvp => kvp.Key + "=" + kvp.Value));

    private void MarkDisposed()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _dispatcher.Complete();
    }

    private string Serialize(object? value) =>
        JsonSerializer.Serialize(value, JsonMetadata.For(_jsonSerializerOptions, value?.GetType() ?? typeof(object)));

    private void StopSync(Exception? error, TimeSpan timeout)
    {
        Task stop = StopCore(error, timeout, CancellationToken.None);
        if (_dispatcher.IsCurrent)
        {
            // Never block a callback: the state is already Disconnected, the events queued before and with the close
            // run now, nested in this callback (as the classic client raised them inside Stop), and the abort finishes
            // in the background.
            stop.Forget();
            _dispatcher.RunPendingInline();
            return;
        }

        stop.GetAwaiter().GetResult();
    }
}
