namespace Tether.Redis;

/// <summary>Why a node could not get some messages.</summary>
public enum RedisGapReason
{
    /// <summary>
    /// The node missed messages (it was cut off from Redis, or fell behind) and they were no longer in the replay
    /// stream (see <see cref="RedisBackplaneOptions.ReplayLength"/>).
    /// </summary>
    NotInReplay = 1,

    /// <summary>
    /// Redis lost its data (a restart without persistence, a flush): messages published before that which this node had
    /// not yet received are lost. The range is that of the ids they may have had; most of it was never used.
    /// </summary>
    RedisDataLost = 2,
}

/// <summary>Messages a node will never deliver to its clients: the range of their global ids and the reason.</summary>
/// <param name="firstId">The first global id of the gap.</param>
/// <param name="lastId">The last global id of the gap (inclusive).</param>
/// <param name="reason">Why the messages are missing.</param>
public sealed class RedisGapEventArgs(ulong firstId, ulong lastId, RedisGapReason reason) : EventArgs
{
    /// <summary>The first global id of the gap.</summary>
    public ulong FirstId { get; } = firstId;

    /// <summary>The last global id of the gap (inclusive).</summary>
    public ulong LastId { get; } = lastId;

    /// <summary>Why the messages are missing.</summary>
    public RedisGapReason Reason { get; } = reason;

    /// <inheritdoc/>
    public override string ToString() => $"{Reason}: ids {FirstId}..{LastId}";
}
