namespace Tether.Client.Internal;

/// <summary>The classic client's messages, word for word, so that code matching on them keeps working.</summary>
internal static class Resources
{
    public const string CertsCanOnlyBeAddedWhenDisconnected = "Client Certificates cannot be added after the connection has started.";
    public const string ConnectionCancelled = "The connection was stopped before it could be started.";
    public const string ConnectionHasNotBeenEstablished = "The connection has not been established.";
    public const string DataCannotBeSentConnectionDisconnected = "Data cannot be sent because the connection is in the disconnected state. Call start before sending any data.";
    public const string DataCannotBeSentDuringWebSocketReconnect = "Data cannot be sent because the WebSocket connection is reconnecting.";
    public const string IncompatibleProtocolVersion = "You are using a version of the client that isn't compatible with the server. Client version {0}, server version {1}.";
    public const string ReconnectTimeout = "Couldn't reconnect within the configured timeout of {0}, disconnecting.";
    public const string ReconnectWindowTimeout = "The client has been inactive since {0} and it has exceeded the inactivity timeout of {1}. Stopping the connection.";
    public const string ServerNegotiationFailed = "Server negotiation failed.";
    public const string StartFailed = "Error during start request. Stopping the connection.";
    public const string TransportFailedToConnect = "Transport failed trying to connect.";
    public const string TransportTimedOutTryingToConnect = "Transport timed out trying to connect";
    public const string UrlCantContainQueryStringDirectly = "Url cannot contain query string directly. Pass query string values in using available overload.";
    public const string InvalidUriScheme = "Uri scheme '{0}' is not valid. The only valid uri schemes are 'http' and 'https'.";
    public const string PossibleDeadlockDetected = "Possible deadlock detected. A callback registered with \"HubProxy.On\" or \"Connection.Received\" has been executing for at least {0} seconds.";
    public const string NegotiationLimitExceeded = "Negotiate redirection limit exceeded.";
    public const string ErrorFromServer = "Error message received from the server: '{0}'.";
    public const string AspNetCoreServerDetected = "Detected a connection attempt to an ASP.NET Core SignalR Server. This client only supports connecting to an ASP.NET SignalR Server. See https://aka.ms/signalr-core-differences for details.";
    public const string NoCompatibleTransportFound = "No client transport is compatible with the server. This either means that the AutoTransport was configured to use only WebSockets which is not compatible with the server or that the AutoTransport was configured with no sub-transports at all.";
    public const string ProxiesCannotBeAddedConnectionStarted = "A HubProxy cannot be added after the connection has been started.";
    public const string InvocationReconnecting = "Connection started reconnecting before invocation result was received.";
    public const string InvocationConnectionClosed = "Connection was disconnected before invocation result was received.";
    public const string ClientCallbackInvalidNumberOfArguments = "A client callback for event {0} with {1} argument(s) could not be found";
    public const string ClientCallbackArgumentTypeMismatch = "A client callback for event {0} with {1} argument(s) was found, however an error occurred because {2}";
    public const string TransportDisconnectedBeforeConnectionFullyInitialized = "The transport disconnected before the connection could be fully initialized.";

    // Tether's own (no classic counterpart).
    public const string SendQueueFull = "The send queue is full ({0} messages) while the connection is reconnecting.";
    public const string ConnectionClosedBeforeSend = "The connection was closed before the data could be sent.";
    public const string InvokeWhileReconnecting = "The hub method cannot be invoked while the connection is reconnecting; invoke it again once reconnected, or set HubConnection.HoldInvocationsWhileReconnecting to queue it.";
    public const string ProxyNotCreatedByHubConnection = "The proxy must be one that HubConnection.CreateHubProxy returned.";
    public const string CustomTransportNotSupported = "Only the transports of Tether.Client.Transports (WebSocketTransport, ServerSentEventsTransport, LongPollingTransport, AutoTransport) can start a connection.";
}
