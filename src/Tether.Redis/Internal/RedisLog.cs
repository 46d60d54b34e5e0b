using Microsoft.Extensions.Logging;

namespace Tether.Redis.Internal;

/// <summary>The log messages of the Redis backplane (category <see cref="RedisMessageBus"/>).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(1, LogLevel.Warning, "Could not publish to topic {Topic}: {Reason}", EventName = "PublishFailed")]
    public static partial void PublishFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Redis is not reachable at start ({Reason}); the node keeps trying, and publications fail until it connects.", EventName = "StartFailed")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Lost the Redis {ConnectionType} connection ({FailureType}): {Reason}", EventName = "ConnectionLost")]
    public static partial void ConnectionLost(ILogger logger, string connectionType, string failureType, string? reason);

    [LoggerMessage(4, LogLevel.Information, "Redis {ConnectionType} connection restored; catching up from the replay stream.", EventName = "ConnectionRestored")]
    public static partial void ConnectionRestored(ILogger logger, string connectionType);

    [LoggerMessage(5, LogLevel.Warning, "Message gap: ids {FirstId} to {LastId} will not be delivered by this node ({Reason}).", EventName = "Gap")]
    public static partial void Gap(ILogger logger, ulong firstId, ulong lastId, string reason);

    [LoggerMessage(6, LogLevel.Error, "A GapDetected handler failed.", EventName = "GapHandlerFailed")]
    public static partial void GapHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Ignored a published value that is not a Tether envelope.", EventName = "BadEnvelope")]
    public static partial void BadEnvelope(ILogger logger);

    [LoggerMessage(8, LogLevel.Warning, "Ignored message {Id}: its frame is malformed or of another version.", EventName = "BadFrame")]
    public static partial void BadFrame(ILogger logger, ulong id);

    [LoggerMessage(9, LogLevel.Warning, "Redis lost its data: epoch {Previous} ended, epoch {Epoch} began.", EventName = "EpochChanged")]
    public static partial void EpochChanged(ILogger logger, ulong previous, ulong epoch);

    [LoggerMessage(10, LogLevel.Debug, "Message {Id} was published but is not applied on this node yet (earlier ids are still missing).", EventName = "SlowLocalApply")]
    public static partial void SlowLocalApply(ILogger logger, ulong id);

    [LoggerMessage(11, LogLevel.Warning, "Could not read from Redis ({Reason}); retrying until it answers.", EventName = "IntakeFailed")]
    public static partial void IntakeFailed(ILogger logger, string reason);

    [LoggerMessage(14, LogLevel.Debug, "Still cannot read from Redis ({Reason}); retrying.", EventName = "IntakeStillFailing")]
    public static partial void IntakeStillFailing(ILogger logger, string reason);

    [LoggerMessage(15, LogLevel.Information, "Reading from Redis again.", EventName = "IntakeRecovered")]
    public static partial void IntakeRecovered(ILogger logger);

    [LoggerMessage(12, LogLevel.Error, "The intake failed unexpectedly; retrying.", EventName = "IntakeCrashed")]
    public static partial void IntakeCrashed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Debug, "Read ids {From} to {To} (0: the newest) from the replay stream.", EventName = "Filled")]
    public static partial void Filled(ILogger logger, ulong from, ulong to);

    [LoggerMessage(16, LogLevel.Debug, "Message {Id} arrived too far ahead of the missing ones (pending set full); it will be read from the replay stream.", EventName = "PendingOverflow")]
    public static partial void PendingOverflow(ILogger logger, ulong id);
}
