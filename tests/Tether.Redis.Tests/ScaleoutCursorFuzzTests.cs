using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tether.Redis.Internal;
using Tether.Server.Messaging;
using Xunit.Abstractions;

namespace Tether.Redis.Tests;

/// <summary>
/// Seeded, bounded property tests of the scale-out cursor parser: valid cursors round-trip, every mutation and every
/// piece of garbage is either rejected or exactly a cursor <see cref="ScaleoutCursor.Format"/> writes, nothing throws;
/// through a real bus, every rejected cursor starts at "now". Each test prints how many inputs it tried.
/// </summary>
public sealed class ScaleoutCursorFuzzTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    private const int Seed = 7_2026;
    private const uint Cluster = 0xABCD1234;
    private const string Alphabet = "0123456789ABCDEFabcdef,|-sS +x\u00C9\u0660\uFF21";

    [Fact]
    public void ValidCursors_RoundTrip()
    {
        var random = new Random(Seed);
        var stopwatch = Stopwatch.StartNew();
        int count = 0;
        for (; count < 5_000; count++)
        {
            var (cursor, position, overrides) = Valid(random, random.Next(4) == 0 ? 200 : 6);
            Assert.True(ScaleoutCursor.TryParse(cursor, Cluster, out ulong readPosition, out var readOverrides), cursor);
            Assert.Equal(position, readPosition);
            Assert.Equal(overrides, readOverrides?.Select(p => (p.Key, p.Value)).ToList() ?? []);
            Assert.Equal(cursor, Reformat(readPosition, readOverrides));
            Assert.Matches("^s-[0-9A-F]+,[0-9A-F]+(\\|[0-9A-F]+,[0-9A-F]+)*$", cursor);
        }

        Report("valid scale-out cursors (round trip)", count, stopwatch, string.Empty);
    }

    [Fact]
    public void MutatedAndGarbageCursors_AreRejectedOrExact_AndNeverThrow()
    {
        var random = new Random(Seed + 1);
        var stopwatch = Stopwatch.StartNew();
        int count = 0, accepted = 0;
        var known = new int[KnownInvalid.Length];
        for (; count < 30_000; count++)
        {
            string valid = Valid(random, random.Next(8) == 0 ? 100 : 5).Cursor;
            int kind = random.Next(KnownInvalid.Length + 2);
            string hostile;
            if (kind < KnownInvalid.Length)
            {
                // Mutations that can never be a cursor this bus writes.
                hostile = KnownInvalid[kind](random, valid);
                Assert.False(ScaleoutCursor.TryParse(hostile, Cluster, out _, out _), $"mutation {kind}: {hostile}");
                known[kind]++;
            }
            else
            {
                hostile = kind == KnownInvalid.Length ? RandomEdits(random, valid) : Garbage(random);
            }

            if (ScaleoutCursor.TryParse(hostile, Cluster, out ulong position, out var overrides))
            {
                Assert.Equal(hostile, Reformat(position, overrides));
                accepted++;
            }
        }

        Report("mutated and garbage scale-out cursors", count, stopwatch, $"{accepted} random edits happened to be valid; known-invalid mutations per kind: {string.Join(", ", known)}");
    }

    [Fact]
    public void HugeEntryCounts_UpToTheMaxLength()
    {
        var stopwatch = Stopwatch.StartNew();

        // Distinct keys up to exactly MaxLength: accepted; one character more: rejected, without parsing it.
        string atMax = Fill(ScaleoutCursor.MaxLength);
        Assert.Equal(ScaleoutCursor.MaxLength, atMax.Length);
        Assert.True(ScaleoutCursor.TryParse(atMax, Cluster, out _, out var overrides));
        Assert.Equal(atMax, Reformat(5, overrides));
        Assert.False(ScaleoutCursor.TryParse(atMax + "0", Cluster, out _, out _));
        Assert.False(ScaleoutCursor.TryParse(Fill(ScaleoutCursor.MaxLength + 1), Cluster, out _, out _));

        // The same key repeated to the max length: rejected (the bus never writes a topic twice).
        string repeated = "s-ABCD1234,5" + string.Concat(Enumerable.Repeat("|1,2", (ScaleoutCursor.MaxLength - 12) / 4));
        Assert.False(ScaleoutCursor.TryParse(repeated, Cluster, out _, out _));
        Report("huge scale-out cursors", 4, stopwatch, $"{overrides!.Count} entries at {ScaleoutCursor.MaxLength} chars");
    }

    [Fact]
    public async Task HostileCursors_ThroughARealBus_NeverThrow_AndStartAtNow()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var cluster = await Tests.Cluster.StartAsync(redis.Server, 1);
        var bus = cluster.Bus(0);
        uint tag = ScaleoutCursor.ClusterTag(cluster.Prefix);
        for (int i = 0; i < 5; i++)
        {
            await bus.PublishAsync(new Message("t", Encoding.UTF8.GetBytes("before" + i), null)).DefaultTimeout();
        }

        // Valid-looking cursors of this cluster that start at 0 (so would replay "before*") made hostile, and garbage.
        var random = new Random(Seed + 2);
        string replayAll = $"s-{tag:X},0|{ScaleoutCursor.TopicKey("t"):X},0";
        var hostile = new List<string>();
        while (hostile.Count < 300)
        {
            int kind = random.Next(KnownInvalid.Length + 1);
            string cursor = kind < KnownInvalid.Length ? KnownInvalid[kind](random, replayAll) : Garbage(random);
            if (!ScaleoutCursor.TryParse(cursor, tag, out _, out _))
            {
                hostile.Add(cursor);
            }
        }

        var subscriptions = hostile.Select(cursor => bus.Subscribe(["t"], cursor, () => { })).ToList();
        try
        {
            await bus.PublishAsync(new Message("t", "after"u8.ToArray(), null)).DefaultTimeout();
            for (int i = 0; i < subscriptions.Count; i++)
            {
                var batch = new List<Message>();
                subscriptions[i].Read(batch, 100);
                Assert.True(batch.Count == 1 && batch[0].Payload.Span.SequenceEqual("after"u8), $"cursor {hostile[i]} read {batch.Count} messages");
            }
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }

        Report("hostile scale-out cursors through a real bus", subscriptions.Count, stopwatch, "each read only the message published after it");
    }

    /// <summary>Mutations that make a valid cursor invalid whatever it held.</summary>
    private static readonly Func<Random, string, string>[] KnownInvalid =
    [
        (r, c) => c[..r.Next(c.Length - 1)] + (r.Next(2) == 0 ? "," : "|"), // cut, ending in a separator
        (r, c) => c[..(2 + r.Next(c.IndexOf(',', StringComparison.Ordinal) - 1))], // cut inside the header
        (r, c) => InsertAt(r, c, r.Next(2) == 0 ? "||" : ",,"), // duplicated separator
        (r, c) => InsertAt(r, c, "," + "ABC"[r.Next(3)]), // a third number in an entry
        (r, c) => LowercaseOne(r, c),
        (r, c) => PadOne(r, c, "0"), // leading zero
        (r, c) => PadOne(r, c, "1000000000000000"), // 17 digits or more
        (r, c) => c + string.Concat(Enumerable.Repeat("|" + c[(c.IndexOf(',', StringComparison.Ordinal) + 1)..].Split('|')[^1], 2)), // the last entry repeated
        (r, c) => c.Replace("s-", r.Next(2) == 0 ? "S-" : "d-", StringComparison.Ordinal), // another prefix
        (r, c) => c + (r.Next(2) == 0 ? " " : "\0"),
        (r, c) => "s-ABCD1235" + c[c.IndexOf(',', StringComparison.Ordinal)..], // another cluster
        (r, c) => InsertAt(r, c, ((char)r.Next(0x80, 0x3000)).ToString()),
    ];

    private static (string Cursor, ulong Position, List<(ulong Key, ulong Position)> Overrides) Valid(Random random, int maxEntries)
    {
        ulong position = Number(random);
        var overrides = new List<(ulong, ulong)>();
        var keys = new HashSet<ulong>();
        int entries = random.Next(maxEntries + 1);
        while (overrides.Count < entries)
        {
            ulong key = Number(random);
            if (keys.Add(key))
            {
                overrides.Add((key, Number(random)));
            }
        }

        return (ScaleoutCursor.Format(Cluster, position, overrides), position, overrides);
    }

    /// <summary>0, small, or up to 64 bits: every hex length occurs.</summary>
    private static ulong Number(Random random) => random.Next(8) == 0 ? 0 : (ulong)random.NextInt64() >> random.Next(64) | (random.Next(2) == 0 ? 0 : 1UL << 63);

    private static string Reformat(ulong position, Dictionary<ulong, ulong>? overrides) =>
        ScaleoutCursor.Format(Cluster, position, overrides?.Select(p => (p.Key, p.Value)).ToList());

    /// <summary>A valid cursor of exactly <paramref name="length"/> characters: entries with distinct keys, the last two sized to fit.</summary>
    private static string Fill(int length)
    {
        var builder = new StringBuilder("s-ABCD1234,5");
        ulong key = 0;
        while (length - builder.Length > 30)
        {
            builder.Append('|').Append(key++.ToString("X", CultureInfo.InvariantCulture)).Append(",1");
        }

        string first = $"|{key++:X},", second = $"|{key:X},";
        int digits = length - builder.Length - first.Length - second.Length;
        return builder.Append(first).Append('F', digits / 2).Append(second).Append('F', digits - (digits / 2)).ToString();
    }

    private static string InsertAt(Random random, string text, string insert) => text.Insert(2 + random.Next(text.Length - 1), insert);

    private static string LowercaseOne(Random random, string cursor)
    {
        int[] letters = [.. Enumerable.Range(2, cursor.Length - 2).Where(i => cursor[i] is >= 'A' and <= 'F')];
        int at = letters.Length == 0 ? -1 : letters[random.Next(letters.Length)];
        return at < 0 ? cursor + "|a,1" : string.Concat(cursor.AsSpan(0, at), char.ToLowerInvariant(cursor[at]).ToString(), cursor.AsSpan(at + 1));
    }

    /// <summary>Puts <paramref name="padding"/> before one number (after "s-", a "," or a "|").</summary>
    private static string PadOne(Random random, string cursor, string padding)
    {
        int[] starts = [2, .. Enumerable.Range(2, cursor.Length - 2).Where(i => cursor[i] is ',' or '|').Select(i => i + 1)];
        return cursor.Insert(starts[random.Next(starts.Length)], padding);
    }

    private static string RandomEdits(Random random, string valid)
    {
        var chars = new StringBuilder(valid);
        for (int edits = 1 + random.Next(3); edits > 0 && chars.Length > 0; edits--)
        {
            int at = random.Next(chars.Length);
            char c = Alphabet[random.Next(Alphabet.Length)];
            _ = random.Next(3) switch
            {
                0 => chars.Remove(at, 1),
                1 => chars.Insert(at, c),
                _ => chars.Remove(at, 1).Insert(at, c),
            };
        }

        return chars.ToString();
    }

    private static string Garbage(Random random)
    {
        var chars = new char[random.Next(80)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)random.Next(0, 0xD800) : Alphabet[random.Next(Alphabet.Length)];
        }

        return (random.Next(2) == 0 ? "s-" : string.Empty) + new string(chars);
    }

    private void Report(string parser, int count, Stopwatch stopwatch, string detail) =>
        output.WriteLine($"[fuzz] {parser}: {count} inputs in {stopwatch.ElapsedMilliseconds} ms, seed {Seed}{(detail.Length == 0 ? string.Empty : "; " + detail)}");
}
