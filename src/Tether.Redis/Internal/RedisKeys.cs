using StackExchange.Redis;

namespace Tether.Redis.Internal;

/// <summary>The Redis keys and channel of one cluster, all hash-tagged with its prefix so they live in one slot.</summary>
internal sealed class RedisKeys
{
    /// <summary>Names the keys of a prefix.</summary>
    /// <param name="prefix">The cluster's key prefix.</param>
    public RedisKeys(string prefix)
    {
        Counter = new RedisKey("{" + prefix + "}:id");
        Epoch = new RedisKey("{" + prefix + "}:epoch");
        Stream = new RedisKey("{" + prefix + "}:stream");
        StreamBytes = new RedisKey("{" + prefix + "}:stream-bytes");
        PublishKeys = [Counter, Epoch, Stream, StreamBytes];
        ChannelValue = prefix + ":messages";
        Channel = RedisChannel.Literal(prefix + ":messages");
    }

    /// <summary>The last id handed out (a number).</summary>
    public RedisKey Counter { get; }

    /// <summary>The current epoch (a number).</summary>
    public RedisKey Epoch { get; }

    /// <summary>The replay stream, bounded by count and bytes.</summary>
    public RedisKey Stream { get; }

    /// <summary>The payload bytes in the replay stream (a number).</summary>
    public RedisKey StreamBytes { get; }

    /// <summary>The keys of <see cref="Scripts.Publish"/>, in its order.</summary>
    public RedisKey[] PublishKeys { get; }

    /// <summary>The pub/sub channel.</summary>
    public RedisChannel Channel { get; }

    /// <summary>The channel's name as a script argument.</summary>
    public RedisValue ChannelValue { get; }
}
