using System.Collections.Concurrent;

namespace Tether.Server.Internal;

/// <summary>
/// Remembers what connection tokens unprotected to, keyed by the exact token text, so that the <c>/send</c> and poll
/// requests of a live connection do not run Data Protection's decryption and authentication every time.
/// </summary>
/// <remarks>
/// <para>
/// Why this is safe: a hit returns exactly what Data Protection returned for the same text under the same purposes
/// (one cache per protector, so per token kind and connection type), and unprotecting is a pure function of that text
/// and the key ring. Only successes are stored, so a forged or foreign token is never answered from here and cannot
/// fill the cache; tokens the server issued can, but they only push older entries out. The one way the key ring can
/// change its verdict on a token it accepted is a key revoked after the fact, so an entry is used for at most
/// <c>maxAge</c> after the unprotect that made it: a revocation takes effect within that time.
/// </para>
/// <para>
/// Bounds: two generations of at most <c>maxEntries / 2</c> entries and <c>maxBytes / 2</c> bytes each. When the
/// current generation is full, or older than <c>maxAge</c>, it becomes the previous one and the previous one is
/// dropped; a hit in the previous generation copies the entry to the current one, so tokens in use stay.
/// </para>
/// </remarks>
/// <typeparam name="TValue">What a token unprotects to.</typeparam>
internal sealed class UnprotectedTokenCache<TValue>
    where TValue : notnull
{
    /// <summary>What one entry costs besides its strings: the dictionary node, the entry and the bookkeeping.</summary>
    internal const int EntryOverheadBytes = 96;

    private readonly int _generationEntries;
    private readonly long _generationBytes;
    private readonly long _maxAgeTicks;
    private readonly TimeProvider _time;
    private readonly Func<TValue, int> _valueChars;
    private readonly Lock _rotation = new();
    private volatile Generation _current;
    private volatile Generation _previous;

    /// <param name="maxEntries">The most entries held, both generations together.</param>
    /// <param name="maxBytes">The most bytes held (strings and overhead), both generations together.</param>
    /// <param name="maxAge">How long after its unprotect an entry may answer.</param>
    /// <param name="time">The clock.</param>
    /// <param name="valueChars">The characters of a value's strings, for the byte count.</param>
    public UnprotectedTokenCache(int maxEntries, long maxBytes, TimeSpan maxAge, TimeProvider time, Func<TValue, int> valueChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 2L * EntryOverheadBytes);
        _generationEntries = maxEntries / 2;
        _generationBytes = maxBytes / 2;
        _maxAgeTicks = (long)(maxAge.TotalSeconds * time.TimestampFrequency);
        _time = time;
        _valueChars = valueChars;
        _current = new Generation(time.GetTimestamp());
        _previous = new Generation(_current.Started);
    }

    /// <summary>Entries held now, both generations together.</summary>
    public int Count => _current.Count + _previous.Count;

    /// <summary>Bytes held now, both generations together.</summary>
    public long Bytes => _current.Bytes + _previous.Bytes;

    /// <summary>What <paramref name="token"/> unprotected to, if it is remembered and young enough.</summary>
    public bool TryGet(string token, out TValue value) => TryGet(token.AsSpan(), out value);

    /// <summary>What the token in <paramref name="token"/> unprotected to, if it is remembered and young enough.</summary>
    public bool TryGet(ReadOnlySpan<char> token, out TValue value)
    {
        long now = _time.GetTimestamp();
        if (_current.Lookup.TryGetValue(token, out var entry))
        {
            return IsFresh(entry, now, out value);
        }

        if (_previous.Lookup.TryGetValue(token, out entry) && IsFresh(entry, now, out value))
        {
            Store(new string(token), entry, now);
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Remembers a token that unprotected successfully just now; one too large for a generation is not kept.</summary>
    public void Add(string token, TValue value)
    {
        long now = _time.GetTimestamp();
        Store(token, new Entry(value, now), now);
    }

    private bool IsFresh(Entry entry, long now, out TValue value)
    {
        value = entry.Value;
        return now - entry.UnprotectedAt < _maxAgeTicks;
    }

    private void Store(string token, Entry entry, long now)
    {
        long bytes = EntryOverheadBytes + (2L * (token.Length + _valueChars(entry.Value)));
        if (bytes > _generationBytes)
        {
            return;
        }

        var current = _current;
        if (now - current.Started >= _maxAgeTicks || !current.TryReserve(bytes, _generationEntries, _generationBytes))
        {
            lock (_rotation)
            {
                if (ReferenceEquals(current, _current))
                {
                    _previous = current;
                    _current = new Generation(now);
                }

                current = _current;
            }

            if (!current.TryReserve(bytes, _generationEntries, _generationBytes))
            {
                // Other threads filled the new generation meanwhile: not remembering this one is only slower.
                return;
            }
        }

        if (!current.Entries.TryAdd(token, entry))
        {
            current.Release(bytes);
        }
    }

    /// <param name="Value">What the token unprotected to.</param>
    /// <param name="UnprotectedAt">When Data Protection said so (a timestamp of the cache's clock).</param>
    private readonly record struct Entry(TValue Value, long UnprotectedAt);

    private sealed class Generation
    {
        private long _count;
        private long _bytes;

        public Generation(long started)
        {
            Started = started;
            Entries = new(StringComparer.Ordinal);
            Lookup = Entries.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public long Started { get; }

        public ConcurrentDictionary<string, Entry> Entries { get; }

        /// <summary>Looks entries up by the characters of a token, without a string.</summary>
        public ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }

        public int Count => (int)Interlocked.Read(ref _count);

        public long Bytes => Interlocked.Read(ref _bytes);

        /// <summary>Counts one more entry of <paramref name="bytes"/>, unless the generation is full; never over either bound, even for a moment.</summary>
        public bool TryReserve(long bytes, int maxEntries, long maxBytes)
        {
            if (!TryIncrease(ref _count, 1, maxEntries))
            {
                return false;
            }

            if (TryIncrease(ref _bytes, bytes, maxBytes))
            {
                return true;
            }

            Interlocked.Decrement(ref _count);
            return false;
        }

        public void Release(long bytes)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Add(ref _bytes, -bytes);
        }

        private static bool TryIncrease(ref long value, long by, long max)
        {
            long current = Interlocked.Read(ref value);
            while (current + by <= max)
            {
                long seen = Interlocked.CompareExchange(ref value, current + by, current);
                if (seen == current)
                {
                    return true;
                }

                current = seen;
            }

            return false;
        }
    }
}
