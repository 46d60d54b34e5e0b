using StackExchange.Redis;

namespace Tether.Redis;

/// <summary>The settings of the Redis backplane (<see cref="RedisMessageBus"/>).</summary>
/// <remarks>Every node of one cluster must use the same <see cref="Configuration"/> (the same Redis server),
/// <see cref="Prefix"/>, <see cref="Database"/> and <see cref="ApplicationName"/>.</remarks>
public sealed class RedisBackplaneOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, e.g. <c>localhost:6379</c> or <c>redis1:6379,password=secret,ssl=true</c>.
    /// </summary>
    /// <remarks>
    /// Tether always sets <c>abortConnect=false</c> (a node starts, and reconnects by itself, while Redis is down) and
    /// the fail-fast backlog policy (a publication while Redis is unreachable fails at once, see
    /// <see cref="RedisBackplaneException"/>); <see cref="ConfigureRedis"/> can change anything else.
    /// </remarks>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>Changes the parsed StackExchange.Redis options before the connection is made, or <see langword="null"/>.</summary>
    public Action<ConfigurationOptions>? ConfigureRedis { get; set; }

    /// <summary>
    /// The prefix of every Redis key and channel Tether uses (default <c>tether</c>). Clusters that share a Redis
    /// server need different prefixes. Keys are hash-tagged with it (<c>{tether}:…</c>) so they live in one slot.
    /// </summary>
    public string Prefix { get; set; } = "tether";

    /// <summary>The Redis database of the keys (default -1: the configuration's default database, usually 0).</summary>
    /// <remarks>Pub/sub channels are global to a Redis server; the <see cref="Prefix"/>, not the database, separates clusters.</remarks>
    public int Database { get; set; } = -1;

    /// <summary>
    /// How many of the latest messages Redis keeps for nodes that missed them (a node briefly disconnected from Redis
    /// reads them back, a client that moves to another node has its topics filled from them). Default 10,000; a node
    /// that missed more than the replay stream holds reports a gap (<see cref="RedisMessageBus.GapDetected"/>).
    /// </summary>
    public int ReplayLength { get; set; } = 10_000;

    /// <summary>
    /// The most bytes of messages (as stored: payload, topic and envelope) the replay stream keeps, whatever
    /// <see cref="ReplayLength"/> allows. Default 64 MB. Enforced exactly, in the same atomic script that adds each
    /// message: the oldest entries go first, the newest always stays.
    /// </summary>
    public long ReplayMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long the replay stream (and its byte count) outlives the cluster's last publication. Default 1 day. The id
    /// counter and the epoch are single numbers and have no time to live: they keep cursors meaningful.
    /// </summary>
    public TimeSpan ReplayTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How many messages a node holds while it waits for a missing earlier id (they arrived out of order). Default
    /// 4,096 ids past the last one applied; a message further ahead is read from the replay stream once the ids before
    /// it are in.
    /// </summary>
    public int MaxPendingMessages { get; set; } = 4096;

    /// <summary>
    /// The most payload bytes a node holds while it waits for a missing earlier id. Default 16 MB; a message that does
    /// not fit is read from the replay stream once the ids before it are in.
    /// </summary>
    public long MaxPendingBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Whether Tether's connection and groups tokens are protected with a Data Protection key ring of Tether's own,
    /// stored in Redis (default <see langword="true"/>), so a token issued by one node is accepted by every node.
    /// </summary>
    /// <remarks>
    /// <para>That key ring protects Tether's tokens only: the application's own Data Protection (its key ring, application
    /// name and encryptor, so its cookies and antiforgery tokens) is left unchanged.</para>
    /// <para>When it is off, tokens are protected with the application's Data Protection, and every node of a farm must
    /// then share the application's key ring and application name itself (<c>PersistKeysTo…</c>,
    /// <c>SetApplicationName</c>), or a client that moves to another node is refused.</para>
    /// <para>The keys are stored as Data Protection writes them: encrypt them at rest with
    /// <see cref="ConfigureDataProtection"/> (e.g. <c>b =&gt; b.ProtectKeysWithCertificate(certificate)</c>), or anyone who
    /// can read Redis can forge tokens.</para>
    /// </remarks>
    public bool ShareDataProtectionKeys { get; set; } = true;

    /// <summary>
    /// The Data Protection application name of Tether's shared key ring (default <c>Tether</c>): nodes with different
    /// names cannot read each other's tokens even with the same keys. The application's own name is not changed.
    /// </summary>
    public string ApplicationName { get; set; } = "Tether";

    /// <summary>
    /// Configures Tether's shared key ring (when <see cref="ShareDataProtectionKeys"/> is on), or <see langword="null"/>:
    /// typically to encrypt the keys at rest, e.g. <c>b =&gt; b.ProtectKeysWithCertificate(certificate)</c>, which also
    /// silences Data Protection's "No XML encryptor configured" warning. Every node must be able to decrypt the keys
    /// (the same certificate, with its private key, on every node). It applies to Tether's key ring only.
    /// </summary>
    public Action<Microsoft.AspNetCore.DataProtection.IDataProtectionBuilder>? ConfigureDataProtection { get; set; }

    /// <summary>
    /// How long a node waits for a missing id to arrive by pub/sub before it reads it from the replay stream (default
    /// 500 ms). Only a hole that pub/sub may still fill waits: one behind a later id already received is read at once.
    /// </summary>
    public TimeSpan GapFillDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
