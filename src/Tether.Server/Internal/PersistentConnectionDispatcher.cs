using System.Buffers;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Tether.Protocol;
using Tether.Server.Internal.Transports;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>
/// Serves every request of one mapped persistent connection type, in the classic order of checks (PROTOCOL.md §2.1):
/// authorization, negotiate, ping, transport, token, user, groups token, start, then the transport's operation.
/// </summary>
internal sealed partial class PersistentConnectionDispatcher<TConnection> : IDisconnectHandler
    where TConnection : PersistentConnection
{
    internal const string UnknownTransport = "Protocol error: Unknown transport.";
    internal const string ForeverFrameRefused = "Protocol error: The foreverFrame transport is not supported by this server; use webSockets, serverSentEvents or longPolling.";
    internal const string MissingToken = "Protocol error: Missing connection token.";
    internal const string BadToken = "The ConnectionId is in the incorrect format.";
    internal const string UserMismatch = "Unrecognized user identity.  The user identity cannot change during an active SignalR connection.";
    internal const string NotWebSocket = "Not a valid web socket request.";
    internal const string JsonpDisabledReason = "Forbidden: JSONP is disabled.";
    internal const string InvalidJsonpCallback = "Protocol error: The JSONP callback is not a valid JavaScript identifier.";

    private static readonly ObjectFactory<TConnection> s_factory = ActivatorUtilities.CreateFactory<TConnection>(Type.EmptyTypes);

    private readonly PersistentConnectionOptions _options;
    private readonly ConnectionTokenProtector _tokens;
    private readonly ConnectionTracker _tracker;
    private readonly IMessageBus _bus;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly ConnectionMessenger _messenger;
    private readonly ReceiveServices _receiveServices;
    private readonly string _typeName;
    private readonly string _groupPrefix;

    public PersistentConnectionDispatcher(
        IOptions<PersistentConnectionOptions> options,
        IMessageBus bus,
        ConnectionTokenProtector tokens,
        ConnectionTracker tracker,
        TimeProvider time,
        IServiceScopeFactory scopes,
        ILogger<PersistentConnectionDispatcher<TConnection>> logger)
    {
        _options = options.Value;
        _tokens = tokens;
        _tracker = tracker;
        _bus = bus;
        _scopes = scopes;
        _logger = logger;
        _typeName = ConnectionTypeName.Of(typeof(TConnection));
        _groupPrefix = _typeName + ".";
        _messenger = new ConnectionMessenger(bus, _typeName, _options.JsonSerializerOptions);
        _receiveServices = new ReceiveServices(bus, tokens, tracker, time, logger);
    }

    public async Task ProcessRequestAsync(HttpContext context)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (await RequestValidator.RejectAsync(context, _logger).ConfigureAwait(false))
        {
            return;
        }

        var request = new HttpRequestView(context);
        var connection = Create(context.RequestServices);

        if (!await connection.AuthorizeRequest(request).ConfigureAwait(false))
        {
            context.Response.StatusCode = context.User.Identity?.IsAuthenticated == true ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            return;
        }

        var query = context.Request.Query;
        string? callback = query["callback"];
        if (!string.IsNullOrEmpty(callback))
        {
            if (!_options.EnableJsonp)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = JsonpDisabledReason;
                return;
            }

            if (!JsonpCallback.IsValid(callback))
            {
                await FailAsync(context, StatusCodes.Status400BadRequest, InvalidJsonpCallback).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            callback = null;
        }

        var operation = RequestOperations.FromPath(context.Request.Path.Value);
        if (operation == RequestOperation.Negotiate)
        {
            await NegotiateAsync(context, callback).ConfigureAwait(false);
            return;
        }

        if (operation == RequestOperation.Ping)
        {
            await WriteJsonAsync(context, ProtocolConstants.PongResponse, callback).ConfigureAwait(false);
            return;
        }

        var transport = ResolveTransport(query["transport"]);
        if (transport is null)
        {
            bool foreverFrame = string.Equals(query["transport"], TransportNames.ForeverFrame, StringComparison.OrdinalIgnoreCase);
            await FailAsync(context, StatusCodes.Status400BadRequest, foreverFrame ? ForeverFrameRefused : UnknownTransport).ConfigureAwait(false);
            return;
        }

        string? token = query["connectionToken"];
        if (string.IsNullOrEmpty(token))
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, MissingToken).ConfigureAwait(false);
            return;
        }

        if (!_tokens.TryUnprotectConnectionToken(token, out string connectionId, out string tokenUser))
        {
            Log.BadToken(_logger);
            await FailAsync(context, StatusCodes.Status400BadRequest, BadToken).ConfigureAwait(false);
            return;
        }

        if (!string.Equals(tokenUser, UserName(context.User), StringComparison.OrdinalIgnoreCase))
        {
            Log.UserChanged(_logger, connectionId);
            await FailAsync(context, StatusCodes.Status403Forbidden, UserMismatch).ConfigureAwait(false);
            return;
        }

        var version = ProtocolResolver.Resolve(query["clientProtocol"]);
        switch (operation)
        {
            case RequestOperation.Start:
                await connection.OnConnected(request, connectionId).ConfigureAwait(false);
                await WriteJsonAsync(context, ProtocolConstants.StartedResponse, callback).ConfigureAwait(false);
                return;
            case RequestOperation.Abort:
                await AbortAsync(context, connection, request, connectionId).ConfigureAwait(false);
                return;
            default:
                break;
        }

        if (transport == PersistentConnectionTransports.WebSockets)
        {
            // Classic treats every other webSockets request, /send included, as a WebSocket accept.
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await FailAsync(context, StatusCodes.Status400BadRequest, NotWebSocket).ConfigureAwait(false);
                return;
            }

            var receive = await CreateReceiveRequestAsync(context, connection, request, connectionId, operation, version, isLongPolling: false, callback: null).ConfigureAwait(false);
            if (receive is null)
            {
                return;
            }

            Log.Receiving(_logger, connectionId, TransportNames.WebSockets, receive.Kind);
            await WebSocketTransport.ProcessAsync(
                context,
                receive,
                _receiveServices,
                this,
                _options.MaxIncomingWebSocketMessageSize,
                data => connection.OnReceived(request, connectionId, data)).ConfigureAwait(false);
            return;
        }

        bool longPolling = transport == PersistentConnectionTransports.LongPolling;
        if (operation == RequestOperation.Send)
        {
            await SendAsync(context, connection, request, connectionId, longPolling).ConfigureAwait(false);
            return;
        }

        var receiveRequest = await CreateReceiveRequestAsync(context, connection, request, connectionId, operation, version, longPolling, callback).ConfigureAwait(false);
        if (receiveRequest is null)
        {
            return;
        }

        if (longPolling)
        {
            Log.Receiving(_logger, connectionId, TransportNames.LongPolling, receiveRequest.Kind);
            await LongPollingTransport.ProcessAsync(context, receiveRequest, _receiveServices, this).ConfigureAwait(false);
        }
        else
        {
            Log.Receiving(_logger, connectionId, TransportNames.ServerSentEvents, receiveRequest.Kind);
            await ServerSentEventsTransport.ProcessAsync(context, receiveRequest, _receiveServices, this).ConfigureAwait(false);
        }
    }

    public async Task RaiseDisconnectedAsync(IRequest request, string connectionId, bool stopCalled)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await Create(scope.ServiceProvider).OnDisconnected(request, connectionId, stopCalled).ConfigureAwait(false);
        }
    }

    private async Task NegotiateAsync(HttpContext context, string? callback)
    {
        string connectionId = Guid.NewGuid().ToString("d");
        string path = context.Request.PathBase.Add(context.Request.Path).Value ?? string.Empty;
        const string suffix = "/negotiate";
        string url = path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? path[..^suffix.Length] : path;
        var negotiation = new NegotiationResponse
        {
            Url = url,
            ConnectionToken = _tokens.ProtectConnectionToken(connectionId, UserName(context.User)),
            ConnectionId = connectionId,
            KeepAliveTimeout = _options.KeepAliveTimeout?.TotalSeconds,
            DisconnectTimeout = _options.DisconnectTimeout.TotalSeconds,
            ConnectionTimeout = _options.ConnectionTimeout.TotalSeconds,
            TryWebSockets = (_options.Transports & PersistentConnectionTransports.WebSockets) != 0,
            ProtocolVersion = ProtocolResolver.Resolve(context.Request.Query["clientProtocol"]).ToString(),
            TransportConnectTimeout = _options.TransportConnectTimeout.TotalSeconds,
            LongPollDelay = _options.LongPollDelay.TotalSeconds,
        };

        var body = new ArrayBufferWriter<byte>(512);
        negotiation.WriteTo(body);
        Log.Negotiated(_logger, connectionId);
        await WriteJsonAsync(context, body.WrittenMemory, callback).ConfigureAwait(false);
    }

    private async Task AbortAsync(HttpContext context, TConnection connection, IRequest request, string connectionId)
    {
        // Whoever holds the live receive request ends it: this node directly, other nodes through the command.
        bool raise = _tracker.MarkStopped(connectionId);
        await _bus.PublishAsync(Message.ForCommand(Topics.ForConnection(connectionId), new Command(CommandType.Abort)), context.RequestAborted).ConfigureAwait(false);
        if (raise)
        {
            Log.Stopped(_logger, connectionId);
            try
            {
                await connection.OnDisconnected(request, connectionId, stopCalled: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.DisconnectHandlerFailed(_logger, connectionId, ex);
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain";
    }

    private async Task SendAsync(HttpContext context, TConnection connection, IRequest request, string connectionId, bool longPolling)
    {
        var form = await RequestForm.ReadAsync(context, _options.MaxIncomingSendSize).ConfigureAwait(false);
        if (form is null)
        {
            return;
        }

        string? data = form.TryGetValue("data", out var values) ? (string?)values : null;
        if (data is null && longPolling && context.Request.Query.TryGetValue("data", out var queryData))
        {
            // JSONP sends are GETs with the data in the query.
            data = queryData;
        }

        await connection.OnReceived(request, connectionId, data).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task<ReceiveRequest?> CreateReceiveRequestAsync(
        HttpContext context,
        TConnection connection,
        IRequest request,
        string connectionId,
        RequestOperation operation,
        Version version,
        bool isLongPolling,
        string? callback)
    {
        var query = context.Request.Query;
        string? messageId = query["messageId"];
        string? groupsToken = query["groupsToken"];
        if (isLongPolling && (messageId is null || groupsToken is null) && RequestForm.HasBody(context.Request))
        {
            // The JavaScript client's long polls carry these in a form body; the query wins (PROTOCOL.md §2.2).
            var form = await RequestForm.ReadAsync(context, _options.MaxIncomingSendSize).ConfigureAwait(false);
            if (form is null)
            {
                return null;
            }

            messageId ??= form.TryGetValue("messageId", out var formMessageId) ? (string?)formMessageId : null;
            groupsToken ??= form.TryGetValue("groupsToken", out var formGroupsToken) ? (string?)formGroupsToken : null;
        }

        var kind = operation switch
        {
            RequestOperation.Connect => ReceiveKind.Connect,
            RequestOperation.Reconnect => ReceiveKind.Reconnect,
            _ => isLongPolling ? ReceiveKind.Poll : ReceiveKind.Reconnect,
        };

        var groups = await RejoinGroupsAsync(connection, request, connectionId, groupsToken).ConfigureAwait(false);
        if (kind == ReceiveKind.Connect && !ProtocolResolver.UsesDelayedStart(version))
        {
            // Before protocol 1.4 there is no /start: OnConnected belongs to /connect.
            await connection.OnConnected(request, connectionId).ConfigureAwait(false);
        }
        else if (kind == ReceiveKind.Reconnect)
        {
            await connection.OnReconnected(request, connectionId).ConfigureAwait(false);
        }

        return new ReceiveRequest
        {
            ConnectionId = connectionId,
            TypeName = _typeName,
            Kind = kind,
            Cursor = ClientCursor.Normalize(messageId),
            Groups = groups,
            LongPollDelayMs = isLongPolling ? (int)_options.LongPollDelay.TotalMilliseconds : 0,
            JsonpCallback = callback,
            BackpressureHighWater = Math.Max(1, _options.DefaultMessageBufferSize / 2),
        };
    }

    private async Task<List<string>> RejoinGroupsAsync(TConnection connection, IRequest request, string connectionId, string? groupsToken)
    {
        var qualified = _tokens.UnprotectGroupsToken(groupsToken, connectionId);
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

        var rejoined = await connection.OnRejoiningGroups(request, names, connectionId).ConfigureAwait(false);
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

    private PersistentConnectionTransports? ResolveTransport(string? name)
    {
        PersistentConnectionTransports? transport = name switch
        {
            _ when string.Equals(name, TransportNames.WebSockets, StringComparison.OrdinalIgnoreCase) => PersistentConnectionTransports.WebSockets,
            _ when string.Equals(name, TransportNames.ServerSentEvents, StringComparison.OrdinalIgnoreCase) => PersistentConnectionTransports.ServerSentEvents,
            _ when string.Equals(name, TransportNames.LongPolling, StringComparison.OrdinalIgnoreCase) => PersistentConnectionTransports.LongPolling,
            _ => null,
        };

        return transport is { } t && (_options.Transports & t) != 0 ? t : null;
    }

    private TConnection Create(IServiceProvider services)
    {
        var connection = s_factory(services, null);
        connection.Initialize(_messenger, _messenger);
        return connection;
    }

    private static string UserName(ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true } identity ? identity.Name ?? string.Empty : string.Empty;

    private static Task WriteJsonAsync(HttpContext context, string json, string? callback) =>
        WriteJsonAsync(context, Encoding.UTF8.GetBytes(json), callback);

    private static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json, string? callback)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (callback is null)
        {
            response.ContentType = ProtocolConstants.JsonContentType;
            await response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = ProtocolConstants.JavaScriptContentType;
        await response.WriteAsync(callback + "(", context.RequestAborted).ConfigureAwait(false);
        await response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
        await response.WriteAsync(");", context.RequestAborted).ConfigureAwait(false);
    }

    private static Task FailAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Debug, "Negotiated connection {ConnectionId}.", EventName = "Negotiated")]
        public static partial void Negotiated(ILogger logger, string connectionId);

        [LoggerMessage(11, LogLevel.Debug, "Connection {ConnectionId} opened a {Transport} receive request ({Kind}).", EventName = "Receiving")]
        public static partial void Receiving(ILogger logger, string connectionId, string transport, ReceiveKind kind);

        [LoggerMessage(12, LogLevel.Debug, "Connection {ConnectionId} stopped.", EventName = "Stopped")]
        public static partial void Stopped(ILogger logger, string connectionId);

        [LoggerMessage(13, LogLevel.Information, "Refused a request whose connection token could not be read.", EventName = "BadConnectionToken")]
        public static partial void BadToken(ILogger logger);

        [LoggerMessage(14, LogLevel.Information, "Refused a request of connection {ConnectionId}: the user is not the one the token was issued to.", EventName = "UserChanged")]
        public static partial void UserChanged(ILogger logger, string connectionId);

        [LoggerMessage(15, LogLevel.Error, "OnDisconnected failed for connection {ConnectionId}.", EventName = "DisconnectHandlerFailed")]
        public static partial void DisconnectHandlerFailed(ILogger logger, string connectionId, Exception exception);
    }
}
