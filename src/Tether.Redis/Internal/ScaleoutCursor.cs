using System.Text;
using Tether.Server.Messaging;

namespace Tether.Redis.Internal;

/// <summary>
/// The text form of a <see cref="RedisSubscription"/> cursor: <c>s-&lt;CLUSTER&gt;,&lt;ID&gt;</c>, then, for topics whose
/// position differs from ID, <c>|&lt;TOPIC&gt;,&lt;ID&gt;</c> entries.
/// </summary>
/// <remarks>
/// <para>ID is a global id: the subscription has read every message of its topics up to and including it. Global ids
/// are the same on every node, so a cursor issued by one node resumes on any other (scale-out buses use the prefix
/// <c>s-</c>). CLUSTER names the cluster (a hash of the key prefix), so a cursor of another cluster or of
/// the in-process bus (<c>d-…</c>) starts at "now". A TOPIC entry is a 64-bit hash of a topic name with that topic's own
/// position: a group joined late reads from where it joined, not from the shared ID.</para>
/// <para>Every number is uppercase hexadecimal without padding; only <c>0-9 A-F s - , |</c> occur, so the cursor is ASCII
/// and JSON-safe. Parsing is strict and never throws: anything else (padding, a repeated topic, lowercase) is rejected as
/// a whole.</para>
/// </remarks>
internal static class ScaleoutCursor
{
    /// <summary>The longest cursor parsed; longer input is treated as garbage (it bounds the work per subscribe).</summary>
    public const int MaxLength = 64 * 1024;

    private const string Prefix = "s-";

    /// <summary>The cluster tag of a key prefix: FNV-1a (32-bit) of its UTF-8 bytes.</summary>
    /// <param name="prefix">The key prefix.</param>
    /// <returns>The tag.</returns>
    public static uint ClusterTag(string prefix)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(prefix))
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }

    /// <summary>The key of a topic in cursors: FNV-1a (64-bit) of its UTF-8 bytes.</summary>
    /// <param name="topic">The topic name.</param>
    /// <returns>The key.</returns>
    public static ulong TopicKey(string topic)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(topic))
        {
            hash = (hash ^ b) * 1099511628211;
        }

        return hash;
    }

    /// <summary>Formats a cursor.</summary>
    /// <param name="cluster">The cluster tag.</param>
    /// <param name="position">The shared position.</param>
    /// <param name="overrides">Topics with their own position, or <see langword="null"/>.</param>
    /// <returns>The cursor.</returns>
    public static string Format(uint cluster, ulong position, IReadOnlyList<(ulong Key, ulong Position)>? overrides)
    {
        // Measured first, then written once into the string: one allocation per cursor.
        int length = HeaderLength(cluster, position);
        int count = overrides?.Count ?? 0;
        for (int i = 0; i < count; i++)
        {
            length += OverrideLength(overrides![i].Key, overrides[i].Position);
        }

        return string.Create(length, (cluster, position, overrides), static (span, state) =>
        {
            int written = WriteHeader(span, state.cluster, state.position);
            int count = state.overrides?.Count ?? 0;
            for (int i = 0; i < count; i++)
            {
                written += WriteOverride(span[written..], state.overrides![i].Key, state.overrides[i].Position);
            }
        });
    }

    /// <summary>The length of a cursor's start, <c>s-&lt;CLUSTER&gt;,&lt;ID&gt;</c>.</summary>
    /// <param name="cluster">The cluster tag.</param>
    /// <param name="position">The shared position.</param>
    /// <returns>The number of characters <see cref="WriteHeader"/> writes.</returns>
    public static int HeaderLength(uint cluster, ulong position) => Prefix.Length + CursorCodec.EntryLength(cluster, position);

    /// <summary>Writes a cursor's start, <c>s-&lt;CLUSTER&gt;,&lt;ID&gt;</c>.</summary>
    /// <param name="destination">Where to write; holds at least <see cref="HeaderLength"/> characters.</param>
    /// <param name="cluster">The cluster tag.</param>
    /// <param name="position">The shared position.</param>
    /// <returns>The characters written.</returns>
    public static int WriteHeader(Span<char> destination, uint cluster, ulong position)
    {
        Prefix.CopyTo(destination);
        return Prefix.Length + CursorCodec.WriteEntry(destination[Prefix.Length..], cluster, position);
    }

    /// <summary>The length of one topic's entry, <c>|&lt;TOPIC&gt;,&lt;ID&gt;</c>.</summary>
    /// <param name="key">The topic's key.</param>
    /// <param name="position">The topic's own position.</param>
    /// <returns>The number of characters <see cref="WriteOverride"/> writes.</returns>
    public static int OverrideLength(ulong key, ulong position) => 1 + CursorCodec.EntryLength(key, position);

    /// <summary>Writes one topic's entry, <c>|&lt;TOPIC&gt;,&lt;ID&gt;</c>.</summary>
    /// <param name="destination">Where to write; holds at least <see cref="OverrideLength"/> characters.</param>
    /// <param name="key">The topic's key.</param>
    /// <param name="position">The topic's own position.</param>
    /// <returns>The characters written.</returns>
    public static int WriteOverride(Span<char> destination, ulong key, ulong position)
    {
        destination[0] = '|';
        return 1 + CursorCodec.WriteEntry(destination[1..], key, position);
    }

    /// <summary>Parses a whole cursor of this cluster, exactly as <see cref="Format"/> writes it.</summary>
    /// <param name="cursor">What the client sent back: possibly <see langword="null"/>, foreign or garbage.</param>
    /// <param name="cluster">This cluster's tag.</param>
    /// <param name="position">The shared position.</param>
    /// <param name="overrides">Topic positions by topic key, in cursor order, or <see langword="null"/> when there are none.</param>
    /// <returns>
    /// <see langword="true"/> when the cursor is usable (then formatting what was read gives the cursor back); otherwise
    /// the caller starts at "now". Padded numbers and repeated topic keys are never written, so they are rejected.
    /// </returns>
    public static bool TryParse(string? cursor, uint cluster, out ulong position, out Dictionary<ulong, ulong>? overrides)
    {
        position = 0;
        overrides = null;
        if (cursor is null || cursor.Length > MaxLength || !cursor.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> rest = cursor.AsSpan(Prefix.Length);
        if (!CursorCodec.TryReadEntry(ref rest, out ulong tag, out ulong shared) || tag != cluster)
        {
            return false;
        }

        // Every entry parsed is strict hex; the cursor is canonical when it is as long as its unpadded form.
        int canonicalLength = Prefix.Length + CursorCodec.EntryLength(tag, shared);
        Dictionary<ulong, ulong>? topics = null;
        while (!rest.IsEmpty)
        {
            if (!CursorCodec.TryReadEntry(ref rest, out ulong key, out ulong id) || !(topics ??= []).TryAdd(key, id))
            {
                return false;
            }

            canonicalLength += 1 + CursorCodec.EntryLength(key, id);
        }

        if (canonicalLength != cursor.Length)
        {
            return false;
        }

        position = shared;
        overrides = topics;
        return true;
    }
}
