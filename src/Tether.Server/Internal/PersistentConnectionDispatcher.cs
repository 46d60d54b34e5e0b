using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Protocol;
using Tether.Server.Diagnostics;
using Tether.Server.Internal.Transports;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>
/// Serves every request of one mapped persistent connection type, in the classic order of checks: authorization,
/// JSONP callback, negotiate, ping, transport, token, user, start and abort; then the transport the request names serves
/// it (a receive request) or the dispatcher reads the <c>/send</c> form. Connections' lifecycles belong to the
/// <see cref="ConnectionManager"/>, keyed by this type and the id in the token (tokens are bound to the type).
/// </summary>
internal sealed partial class PersistentConnectionDispatcher<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TConnection>
    where TConnection : PersistentConnection
{
    internal const string UnknownTransport = "Protocol error: Unknown transport.";
    internal const string ForeverFrameRefused = "Protocol error: The foreverFrame transport is not supported by this server; use webSockets, serverSentEvents or longPolling.";
    internal const string MissingToken = "Protocol error: Missing connection token.";
    internal const string BadToken = "The ConnectionId is in the incorrect format.";
    internal const string UserMismatch = "Unrecognized user identity.  The user identity cannot change during an active SignalR connection.";
    internal const string JsonpDisabledReason = "Forbidden: JSONP is disabled.";
    internal const string InvalidJsonpCallback = "Protocol error: The JSONP callback is not a valid JavaScript identifier.";

    /// <summary>Encoded connection tokens up to this length are decoded on the stack (Tether's are about 250 characters).</summary>
    private const int MaxStackTokenChars = 512;

    /// <summary>Transport names up to this length are decoded on the stack (the longest is <c>serverSentEvents</c>).</summary>
    private const int MaxStackTransportChars = 32;

    /// <summary>
    /// Whether <typeparamref name="TConnection"/>'s constructors take services. When none does, an instance is made
    /// without the request's services, so a request whose handlers never use them creates no DI scope.
    /// </summary>
    private static readonly bool s_constructorTakesServices =
        Array.Exists(typeof(TConnection).GetConstructors(), c => c.GetParameters().Length > 0);

    private readonly PersistentConnectionOptions _options;
    private readonly ConnectionTokenProtector _tokens;
    private readonly ConnectionManager _connections;
    private readonly IMessageBus _bus;
    private readonly ILogger _logger;
    private readonly ConnectionEvents<TConnection> _events;
    private readonly ServerTransports _transports;
    private readonly ReceiveServices _receiveServices;
    private readonly TetherServerMetrics _metrics;
    private readonly string _typeName;
    private readonly string _groupPrefix;
    private readonly string _typeTopic;
    private readonly IServiceProvider _rootServices;

    public PersistentConnectionDispatcher(
        IOptions<PersistentConnectionOptions> options,
        IMessageBus bus,
        TokenProtection protection,
        ConnectionManager connections,
        TimeProvider time,
        IServiceScopeFactory scopes,
        ILogger<PersistentConnectionDispatcher<TConnection>> logger,
        TetherServerMetrics metrics,
        IServiceProvider rootServices)
    {
        _rootServices = rootServices;
        _metrics = metrics;
        _options = options.Value;
        _typeName = ConnectionTypeName.Of(typeof(TConnection));
        _groupPrefix = _typeName + ".";
        _typeTopic = Topics.ForConnectionType(_typeName);
        _tokens = new ConnectionTokenProtector(protection.Provider, _typeName, time);
        _connections = connections;
        _bus = bus;
        _logger = logger;
        _events = new ConnectionEvents<TConnection>(new ConnectionMessenger(bus, _typeName, _options.JsonSerializerOptions, metrics), scopes);
        _transports = new ServerTransports(_options.Transports);
        _receiveServices = new ReceiveServices(_options, bus, _tokens, connections, time, logger, metrics);
    }

    /// <summary>The walk of every request: checks, then start, abort, send, or the transport's receive request.</summary>
    /// <remarks>
    /// When the checks complete at once (the usual case), the receive request's task is returned as it is: a long poll
    /// that waits holds no state machine of the dispatcher's.
    /// </remarks>
    public Task ProcessRequestAsync(HttpContext context)
    {
        var prepared = PrepareAsync(context);
        if (!prepared.IsCompletedSuccessfully)
        {
            return ServeWhenPreparedAsync(prepared);
        }

        return prepared.Result is { } receive ? ServeAsync(receive.Context, receive.Transport) : Task.CompletedTask;
    }

    private async Task ServeWhenPreparedAsync(ValueTask<PreparedReceive?> prepared)
    {
        if (await prepared.ConfigureAwait(false) is { } receive)
        {
            await ServeAsync(receive.Context, receive.Transport).ConfigureAwait(false);
        }
    }

    private Task ServeAsync(ReceiveContext receive, IServerTransport transport)
    {
        Log.Receiving(_logger, receive.Request.ConnectionId, transport.Name, receive.Request.Kind);
        var activity = _metrics.Receiving(transport.Name, _typeName, receive.Request.ConnectionId, receive.Request.Kind);
        return activity is null ? transport.ServeAsync(receive) : ServeTracedAsync(receive, transport, activity);
    }

    private static async Task ServeTracedAsync(ReceiveContext receive, IServerTransport transport, System.Diagnostics.Activity activity)
    {
        using (activity)
        {
            await transport.ServeAsync(receive).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every check, then start, abort or send, answered here; for a receive request, its context and transport, which
    /// the caller serves.
    /// </summary>
    private async ValueTask<PreparedReceive?> PrepareAsync(HttpContext context)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (await RequestValidator.RejectAsync(context, _logger).ConfigureAwait(false))
        {
            return null;
        }

        var request = new HttpRequestView(context);
        var connection = _events.Create(s_constructorTakesServices ? context.RequestServices : _rootServices);

        if (!await connection.AuthorizeRequest(request).OrDenied().ConfigureAwait(false))
        {
            context.Response.StatusCode = context.User.Identity?.IsAuthenticated == true ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            return null;
        }

        string? callback = RequestQuery.Get(context.Request, "callback");
        if (string.IsNullOrEmpty(callback))
        {
            callback = null;
        }
        else if (!await AcceptCallbackAsync(context, callback).ConfigureAwait(false))
        {
            return null;
        }

        var operation = RequestOperations.FromPath(context.Request.Path.Value);
        if (operation == RequestOperation.Negotiate)
        {
            await NegotiateAsync(context, callback).ConfigureAwait(false);
            return null;
        }

        if (operation == RequestOperation.Ping)
        {
            await PlainResponses.WriteJsonAsync(context, ProtocolConstants.PongResponse, callback).ConfigureAwait(false);
            return null;
        }

        var transport = FindTransport(context.Request);
        if (transport is null)
        {
            string? transportName = RequestQuery.Get(context.Request, "transport");
            bool foreverFrame = string.Equals(transportName, TransportNames.ForeverFrame, StringComparison.OrdinalIgnoreCase);
            await PlainResponses.FailAsync(context, StatusCodes.Status400BadRequest, foreverFrame ? ForeverFrameRefused : UnknownTransport).ConfigureAwait(false);
            return null;
        }

        var read = ReadConnectionId(context, transport.ResendsTokens);
        if (read.ConnectionId is not { } connectionId)
        {
            await PlainResponses.FailAsync(context, read.Status, read.Error!).ConfigureAwait(false);
            return null;
        }

        var key = new ConnectionKey(_typeName, connectionId);
        switch (operation)
        {
            case RequestOperation.Start:
                transport.PrepareStartResponse(context.Response);
                await StartAsync(context, connection, request, key, callback).ConfigureAwait(false);
                return null;
            case RequestOperation.Abort:
                await AbortAsync(context, request, key).ConfigureAwait(false);
                return null;
            default:
                break;
        }

        if (transport.Refusal(context) is { } refusal)
        {
            await PlainResponses.FailAsync(context, StatusCodes.Status400BadRequest, refusal).ConfigureAwait(false);
            return null;
        }

        if (transport.KindOf(operation) is not { } kind)
        {
            await SendAsync(context, connection, request, connectionId, transport).ConfigureAwait(false);
            return null;
        }

        var receive = await CreateReceiveAsync(context, connection, request, connectionId, kind, transport, callback).ConfigureAwait(false);
        return receive is null ? null : new PreparedReceive(receive, transport);
    }

    /// <summary>The enabled transport the request names, found without making a string of its name.</summary>
    private IServerTransport? FindTransport(HttpRequest request)
    {
        Span<char> name = stackalloc char[2 * MaxStackTransportChars];
        return RequestQuery.TryDecodeSingle(request, "transport", name, out int length)
            ? _transports.Find(name[..length])
            : _transports.Find(RequestQuery.Get(request, "transport"));
    }

    /// <summary>Accepts a JSONP callback; answers 403 (JSONP off) or 400 (not an identifier) and returns false.</summary>
    private async Task<bool> AcceptCallbackAsync(HttpContext context, string callback)
    {
        if (!_options.EnableJsonp)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = JsonpDisabledReason;
            return false;
        }

        if (!JsonpCallback.IsValid(callback))
        {
            await PlainResponses.FailAsync(context, StatusCodes.Status400BadRequest, InvalidJsonpCallback).ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>The connection id from this type's token, once the user is checked; or the 400/403 to answer.</summary>
    private ConnectionIdRead ReadConnectionId(HttpContext context, bool remember)
    {
        // A live connection's token is remembered: look it up from the stack, with no string made for it.
        Span<char> decoded = stackalloc char[2 * MaxStackTokenChars];
        if (!RequestQuery.TryDecodeSingle(context.Request, "connectionToken", decoded, out int length)
            || length == 0
            || !_tokens.TryGetRemembered(decoded[..length], out string connectionId, out string tokenUser))
        {
            string? token = RequestQuery.Get(context.Request, "connectionToken");
            if (string.IsNullOrEmpty(token))
            {
                return new(null, StatusCodes.Status400BadRequest, MissingToken);
            }

            if (!_tokens.TryUnprotectConnectionToken(token, out connectionId, out tokenUser, remember))
            {
                Log.BadToken(_logger);
                return new(null, StatusCodes.Status400BadRequest, BadToken);
            }
        }

        if (!string.Equals(tokenUser, UserName(context), StringComparison.OrdinalIgnoreCase))
        {
            Log.UserChanged(_logger, connectionId);
            return new(null, StatusCodes.Status403Forbidden, UserMismatch);
        }

        return new(connectionId, StatusCodes.Status200OK, null);
    }

    private async Task NegotiateAsync(HttpContext context, string? callback)
    {
        string connectionId = Guid.NewGuid().ToString("d");
        using var activity = _metrics.Negotiating(_typeName, connectionId);
        string path = context.Request.PathBase.Add(context.Request.Path).Value ?? string.Empty;
        const string suffix = "/negotiate";
        string url = path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? path[..^suffix.Length] : path;
        var negotiation = new NegotiationResponse
        {
            Url = url,
            ConnectionToken = _tokens.ProtectConnectionToken(connectionId, UserName(context)),
            ConnectionId = connectionId,
            KeepAliveTimeout = _options.KeepAliveTimeout?.TotalSeconds,
            DisconnectTimeout = _options.DisconnectTimeout.TotalSeconds,
            ConnectionTimeout = _options.ConnectionTimeout.TotalSeconds,
            TryWebSockets = (_options.Transports & PersistentConnectionTransports.WebSockets) != 0,
            ProtocolVersion = ProtocolResolver.Resolve(RequestQuery.Get(context.Request, "clientProtocol")).ToString(),
            TransportConnectTimeout = _options.TransportConnectTimeout.TotalSeconds,
            LongPollDelay = _options.LongPollDelay.TotalSeconds,
        };

        var body = new ArrayBufferWriter<byte>(512);
        negotiation.WriteTo(body);
        Log.Negotiated(_logger, connectionId);
        await PlainResponses.WriteJsonAsync(context, body.WrittenMemory, callback).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>/start</c>: raises <c>OnConnected</c> once, for a connection whose receive request this node has seen; for a
    /// stopped or already started one it answers the same and raises nothing; for one this node does not hold it tells
    /// the node that does (a start command), which raises the event there.
    /// </summary>
    private async Task StartAsync(HttpContext context, TConnection connection, IRequest request, ConnectionKey key, string? callback)
    {
        switch (_connections.TryStart(key))
        {
            case StartOutcome.Started:
                await connection.OnConnected(request, key.ConnectionId).OrCompleted().ConfigureAwait(false);
                break;
            case StartOutcome.Unknown:
                // Another node may hold it (no sticky sessions): the one that does raises OnConnected. On a single
                // node, or for an id nobody holds, the command reaches no reader and raises nothing.
                var start = Message.ForCommand(Topics.ForConnection(key.ConnectionId), new Command(CommandType.Start));
                await _bus.PublishAsync(start, context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                break;
        }

        await PlainResponses.WriteJsonAsync(context, ProtocolConstants.StartedResponse, callback).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>/abort</c>: a connection this node knows is stopped here and its <c>OnDisconnected(true)</c> raised at once,
    /// whatever happens next; then the abort command tells the node that holds the live receive request, if another
    /// one does, and whether the event was raised. If the bus cannot take it, the request fails (503) and may be retried.
    /// </summary>
    private async Task AbortAsync(HttpContext context, IRequest request, ConnectionKey key)
    {
        bool raised = await _connections.StopAsync(key, request).ConfigureAwait(false);
        var abort = new Command(CommandType.Abort, raised ? _connections.NodeId : null);
        await _bus.PublishAsync(Message.ForCommand(Topics.ForConnection(key.ConnectionId), abort), context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain";
    }

    private async Task SendAsync(HttpContext context, TConnection connection, IRequest request, string connectionId, IServerTransport transport)
    {
        var form = await RequestForm.ReadAsync(context, _options.MaxIncomingSendSize).ConfigureAwait(false);
        if (form is null)
        {
            return;
        }

        // JSONP sends are GETs with the data in the query.
        string? data = form["data"] ?? (transport.TakesJsonpAndFormFields ? RequestQuery.Get(context.Request, "data") : null);
        _metrics.MessageReceived(_typeName, transport.Name);
        await connection.OnReceived(request, connectionId, data).OrCompleted().ConfigureAwait(false);
        if (!context.Response.HasStarted)
        {
            // A hub writes its invocation's result as the body itself.
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
    }

    private async ValueTask<ReceiveContext?> CreateReceiveAsync(
        HttpContext context,
        TConnection connection,
        HttpRequestView request,
        string connectionId,
        ReceiveKind kind,
        IServerTransport transport,
        string? callback)
    {
        bool takesFormFields = transport.TakesJsonpAndFormFields;
        string? messageId = RequestQuery.Get(context.Request, "messageId");
        string? groupsToken = RequestQuery.Get(context.Request, "groupsToken");
        if (takesFormFields && (messageId is null || groupsToken is null) && RequestForm.HasBody(context.Request))
        {
            // The JavaScript client's long polls carry these in a form body; the query wins.
            var form = await RequestForm.ReadAsync(context, _options.MaxIncomingSendSize).ConfigureAwait(false);
            if (form is null)
            {
                return null;
            }

            messageId ??= form["messageId"];
            groupsToken ??= form["groupsToken"];
        }

        List<string> groups = string.IsNullOrEmpty(groupsToken) ? [] : await RejoinGroupsAsync(connection, request, connectionId, groupsToken, transport.ResendsTokens).ConfigureAwait(false);
        var receiveRequest = new ReceiveRequest
        {
            ConnectionId = connectionId,
            TypeName = _typeName,
            TypeTopic = _typeTopic,
            Transport = transport.Name,
            Kind = kind,
            Cursor = ClientCursor.Normalize(messageId),
            Groups = groups,
            ExtraTopics = connection.GetSignals(request, connectionId),
            JsonpCallback = takesFormFields ? callback : null,
            BackpressureHighWater = Math.Max(1, _options.DefaultMessageBufferSize / 2),
        };

        return new ReceiveContext(context, receiveRequest, _receiveServices, _events, connection, request)
        {
            // Raised once the request is live, so a request refused because its connection ended raises nothing.
            OnAttached = kind == ReceiveKind.Poll ? null : OnAttached(context, connection, request, connectionId, kind),
        };
    }

    /// <summary>
    /// What a <c>/connect</c> or <c>/reconnect</c> raises once it is live. A method of its own, so a poll (which raises
    /// nothing) allocates no closure.
    /// </summary>
    private Func<Task>? OnAttached(HttpContext context, TConnection connection, IRequest request, string connectionId, ReceiveKind kind)
    {
        var key = new ConnectionKey(_typeName, connectionId);
        bool legacyConnect = kind == ReceiveKind.Connect && !ProtocolResolver.UsesDelayedStart(ProtocolResolver.Resolve(RequestQuery.Get(context.Request, "clientProtocol")));
        return kind switch
        {
            // Before protocol 1.4 there is no /start: OnConnected belongs to /connect.
            ReceiveKind.Connect when legacyConnect => () => _connections.TryStart(key) == StartOutcome.Started ? connection.OnConnected(request, connectionId).OrCompleted() : Task.CompletedTask,
            ReceiveKind.Reconnect => () => connection.OnReconnected(request, connectionId).OrCompleted(),
            _ => null,
        };
    }

    private async Task<List<string>> RejoinGroupsAsync(TConnection connection, IRequest request, string connectionId, string? groupsToken, bool remember)
    {
        var qualified = _tokens.UnprotectGroupsToken(groupsToken, connectionId, remember);
        if (qualified.Count == 0)
        {
            return qualified;
        }

        // Users see group names as they passed them to Groups.Add; the token holds them qualified by type.
        List<string> names = [];
        foreach (string group in qualified)
        {
            if (group.StartsWith(_groupPrefix, StringComparison.Ordinal) && group.Length > _groupPrefix.Length)
            {
                names.Add(group[_groupPrefix.Length..]);
            }
        }

        var rejoined = await connection.OnRejoiningGroups(request, names, connectionId).OrNone().ConfigureAwait(false);
        List<string> result = [];
        foreach (string name in rejoined ?? [])
        {
            if (!string.IsNullOrEmpty(name))
            {
                string group = Topics.QualifiedGroup(_typeName, name);
                if (!result.Contains(group, StringComparer.Ordinal))
                {
                    result.Add(group);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The authenticated user's name, or empty. Read from the authentication feature: <c>HttpContext.User</c> would
    /// create an anonymous principal on every request that has none.
    /// </summary>
    private static string UserName(HttpContext context) =>
        context.Features.Get<IHttpAuthenticationFeature>()?.User?.Identity is { IsAuthenticated: true } identity ? identity.Name ?? string.Empty : string.Empty;

    /// <summary>A receive request ready to be served by its transport.</summary>
    private readonly record struct PreparedReceive(ReceiveContext Context, IServerTransport Transport);

    /// <summary>The connection id a request's token holds, or the status and text to answer instead.</summary>
    private readonly record struct ConnectionIdRead(string? ConnectionId, int Status, string? Error);

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Debug, "Negotiated connection {ConnectionId}.", EventName = "Negotiated")]
        public static partial void Negotiated(ILogger logger, string connectionId);

        [LoggerMessage(11, LogLevel.Debug, "Connection {ConnectionId} opened a {Transport} receive request ({Kind}).", EventName = "Receiving")]
        public static partial void Receiving(ILogger logger, string connectionId, string transport, ReceiveKind kind);

        [LoggerMessage(13, LogLevel.Information, "Refused a request whose connection token could not be read.", EventName = "BadConnectionToken")]
        public static partial void BadToken(ILogger logger);

        [LoggerMessage(14, LogLevel.Information, "Refused a request of connection {ConnectionId}: the user is not the one the token was issued to.", EventName = "UserChanged")]
        public static partial void UserChanged(ILogger logger, string connectionId);
    }
}
