using System;
using Microsoft.Extensions.Logging;

namespace Tether.Client.Internal.Transports;

/// <summary>The transports' log events. Ids and names are public once shipped: never renumber or rename one.</summary>
internal static partial class TransportLog
{
    [LoggerMessage(100, LogLevel.Debug, "{Transport}: opening {Url}.", EventName = "TransportOpening")]
    public static partial void Opening(ILogger logger, string transport, string url);

    [LoggerMessage(101, LogLevel.Debug, "{Transport}: the receive channel ended.", EventName = "TransportReceiveEnded")]
    public static partial void ReceiveEnded(ILogger logger, string transport, Exception? exception);

    [LoggerMessage(102, LogLevel.Debug, "{Transport}: a reconnect attempt failed.", EventName = "TransportReconnectFailed")]
    public static partial void ReconnectFailed(ILogger logger, string transport, Exception exception);

    [LoggerMessage(103, LogLevel.Debug, "{Transport}: the connection was reported lost; dropping the receive channel.", EventName = "TransportLostConnection")]
    public static partial void LostConnection(ILogger logger, string transport);

    [LoggerMessage(104, LogLevel.Error, "{Transport}: the receive loop failed unexpectedly.", EventName = "TransportLoopFailed")]
    public static partial void LoopFailed(ILogger logger, string transport, Exception exception);

    [LoggerMessage(105, LogLevel.Trace, "{Transport}: received {Length} bytes.", EventName = "TransportReceived")]
    public static partial void Received(ILogger logger, string transport, int length);
}
