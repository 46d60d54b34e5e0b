using Microsoft.Extensions.Logging;

namespace Tether.Server.Hubs.Internal;

/// <summary>The hub layer's log messages.</summary>
internal static partial class HubLog
{
    [LoggerMessage(200, LogLevel.Debug, "Hub method {Hub}.{Method} failed; the caller gets an error result.", EventName = "HubInvocationFailed")]
    public static partial void InvocationFailed(ILogger logger, string hub, string method, Exception exception);

    [LoggerMessage(201, LogLevel.Debug, "Connection {ConnectionId} sent a hub call that could not be read: {Reason}", EventName = "HubCallMalformed")]
    public static partial void CallMalformed(ILogger logger, string connectionId, string reason);

    [LoggerMessage(202, LogLevel.Error, "Hub {Hub} failed in {Event} for connection {ConnectionId}.", EventName = "HubEventFailed")]
    public static partial void EventFailed(ILogger logger, string hub, string @event, string connectionId, Exception exception);

    [LoggerMessage(203, LogLevel.Debug, "The result of a hub call of connection {ConnectionId} could not be sent: {Reason}", EventName = "HubReplyLost")]
    public static partial void ReplyLost(ILogger logger, string connectionId, string reason);

    [LoggerMessage(204, LogLevel.Error, "A hub call of connection {ConnectionId} failed.", EventName = "HubCallFailed")]
    public static partial void CallFailed(ILogger logger, string connectionId, Exception exception);
}
