using Microsoft.Extensions.Logging;

namespace Tether.Server.Internal;

/// <summary>The log messages of the <see cref="ConnectionManager"/>.</summary>
internal sealed partial class ConnectionManager
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} had no receive request for the disconnect timeout; raising OnDisconnected.", EventName = "DisconnectedAfterTimeout")]
        public static partial void DisconnectedAfterTimeout(ILogger logger, string connectionId);

        [LoggerMessage(2, LogLevel.Error, "OnDisconnected failed for connection {ConnectionId}.", EventName = "DisconnectHandlerFailed")]
        public static partial void DisconnectHandlerFailed(ILogger logger, string connectionId, Exception exception);

        [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} was stopped through another node; no OnDisconnected here.", EventName = "StoppedElsewhere")]
        public static partial void StoppedElsewhere(ILogger logger, string connectionId);

        [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} moved to another node; no OnDisconnected here.", EventName = "MovedElsewhere")]
        public static partial void MovedElsewhere(ILogger logger, string connectionId);

        [LoggerMessage(6, LogLevel.Debug, "Connection {ConnectionId} stopped.", EventName = "Stopped")]
        public static partial void Stopped(ILogger logger, string connectionId);

        [LoggerMessage(8, LogLevel.Error, "OnConnected failed for connection {ConnectionId} (started through another node).", EventName = "ConnectHandlerFailed")]
        public static partial void ConnectHandlerFailed(ILogger logger, string connectionId, Exception exception);

        [LoggerMessage(7, LogLevel.Warning, "Shutdown went on while {Count} OnDisconnected handlers were still running.", EventName = "HandlersStillRunning")]
        public static partial void HandlersStillRunning(ILogger logger, int count);
    }
}
