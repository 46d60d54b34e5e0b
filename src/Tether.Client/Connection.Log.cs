using System;
using Microsoft.Extensions.Logging;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>The connection's log events. Ids and names are public once shipped: never renumber or rename one.</summary>
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Starting the connection to '{Url}'.", EventName = "Starting")]
        public static partial void Starting(ILogger logger, string url);

        [LoggerMessage(2, LogLevel.Information, "Connected over {Transport}.", EventName = "Started")]
        public static partial void Started(ILogger logger, string transport);

        [LoggerMessage(3, LogLevel.Warning, "The start failed.", EventName = "StartFailed")]
        public static partial void StartFailed(ILogger logger, Exception exception);

        [LoggerMessage(4, LogLevel.Debug, "Negotiating with '{Url}'.", EventName = "Negotiating")]
        public static partial void Negotiating(ILogger logger, string url);

        [LoggerMessage(5, LogLevel.Debug, "Negotiate redirected to '{Url}'.", EventName = "Redirected")]
        public static partial void Redirected(ILogger logger, string url);

        [LoggerMessage(6, LogLevel.Debug, "Starting the {Transport} transport.", EventName = "TransportStarting")]
        public static partial void TransportStarting(ILogger logger, string transport);

        [LoggerMessage(7, LogLevel.Debug, "The {Transport} transport did not start; trying the next one.", EventName = "TransportFailed")]
        public static partial void TransportFailed(ILogger logger, string transport, Exception exception);

        [LoggerMessage(8, LogLevel.Debug, "State changed from {OldState} to {NewState}.", EventName = "StateChanged")]
        public static partial void StateChanged(ILogger logger, ConnectionState oldState, ConnectionState newState);

        [LoggerMessage(9, LogLevel.Debug, "Error raised.", EventName = "ErrorRaised")]
        public static partial void ErrorRaised(ILogger logger, Exception exception);

        [LoggerMessage(10, LogLevel.Information, "The transport lost its connection; reconnecting.", EventName = "Reconnecting")]
        public static partial void Reconnecting(ILogger logger);

        [LoggerMessage(11, LogLevel.Information, "The transport reconnected.", EventName = "Reconnected")]
        public static partial void Reconnected(ILogger logger);

        [LoggerMessage(12, LogLevel.Warning, "No keep-alive for two thirds of the keep-alive timeout: the connection is slow.", EventName = "ConnectionSlow")]
        public static partial void ConnectionSlow(ILogger logger);

        [LoggerMessage(13, LogLevel.Warning, "No keep-alive for {Elapsed}: the connection is treated as lost.", EventName = "KeepAliveTimedOut")]
        public static partial void KeepAliveTimedOut(ILogger logger, TimeSpan elapsed);

        [LoggerMessage(14, LogLevel.Warning, "The client was inactive for longer than the reconnect window ({Window}); stopping.", EventName = "ReconnectWindowExceeded")]
        public static partial void ReconnectWindowExceeded(ILogger logger, TimeSpan window);

        [LoggerMessage(15, LogLevel.Warning, "Gave up reconnecting.", EventName = "GaveUp")]
        public static partial void GaveUp(ILogger logger, Exception exception);

        [LoggerMessage(16, LogLevel.Information, "The reconnect window ended; the retry policy takes over.", EventName = "RetryPolicyEngaged")]
        public static partial void RetryPolicyEngaged(ILogger logger);

        [LoggerMessage(17, LogLevel.Information, "Renegotiating, attempt {Attempt}, in {Delay}.", EventName = "Retrying")]
        public static partial void Retrying(ILogger logger, long attempt, TimeSpan delay);

        [LoggerMessage(18, LogLevel.Error, "The retry policy threw; giving up.", EventName = "RetryPolicyFailed")]
        public static partial void RetryPolicyFailed(ILogger logger, Exception exception);

        [LoggerMessage(19, LogLevel.Information, "Stopping.", EventName = "Stopping")]
        public static partial void Stopping(ILogger logger);

        [LoggerMessage(20, LogLevel.Debug, "The abort request failed.", EventName = "AbortFailed")]
        public static partial void AbortFailed(ILogger logger, Exception exception);

        [LoggerMessage(21, LogLevel.Error, "The stop failed unexpectedly.", EventName = "StopFailed")]
        public static partial void StopFailed(ILogger logger, Exception exception);

        [LoggerMessage(22, LogLevel.Information, "Closed.", EventName = "Closed")]
        public static partial void Closed(ILogger logger, Exception? exception);

        [LoggerMessage(23, LogLevel.Debug, "Releasing the transport failed.", EventName = "TransportStopFailed")]
        public static partial void TransportStopFailed(ILogger logger, Exception exception);

        [LoggerMessage(24, LogLevel.Warning, "An event handler threw.", EventName = "HandlerFailed")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(25, LogLevel.Warning, "A callback has been running for {Timeout}: possible deadlock.", EventName = "SlowCallback")]
        public static partial void SlowCallback(ILogger logger, TimeSpan timeout);
    }
}
