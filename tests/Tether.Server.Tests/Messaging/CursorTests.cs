using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tether.Server.Messaging;
using static Tether.Server.Tests.Messaging.MessageBusTestKit;

namespace Tether.Server.Tests.Messaging;

/// <summary>The cursor: format, round trip, caching and robustness against foreign or garbage input (PROTOCOL §10, P15).</summary>
public partial class CursorTests
{
    [GeneratedRegex("^d-[1-9A-F][0-9A-F]{0,7}-(?:(?:0|[1-9A-F][0-9A-F]*),(?:0|[1-9A-F][0-9A-F]*)(?:\\|(?:0|[1-9A-F][0-9A-F]*),(?:0|[1-9A-F][0-9A-F]*))*)?$")]
    private static partial Regex CursorShape();

    [Fact]
    public void Cursor_HasTheClassicShape_UppercaseHexWithoutPadding()
    {
        using var bus = CreateBus();
        bus.PublishNumbers("b", 300);
        using var reader = new TestReader(bus, ["a", "b"]);
        bus.PublishNumbers("a", 26);
        reader.DrainTexts();

        string cursor = reader.Cursor;

        Assert.Matches(CursorShape(), cursor.Replace($"d-{bus.ProcessHex}-", "d-1-", StringComparison.Ordinal));
        Assert.Equal($"d-{bus.ProcessHex}-{bus.KeyOf("a")},1A|{bus.KeyOf("b")},12C", cursor);
        Assert.Equal(bus.ProcessId.ToString("X", System.Globalization.CultureInfo.InvariantCulture), bus.ProcessHex);
    }

    [Fact]
    public void Cursor_IsJsonSafe()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["a", "b", "c"]);
        bus.PublishNumbers("a", 3);
        reader.DrainTexts();

        string cursor = reader.Cursor;

        Assert.All(cursor, c => Assert.True(c is >= (char)0x20 and < (char)0x7F && c is not '"' and not '\\'));
        Assert.Equal("\"" + cursor + "\"", JsonSerializer.Serialize(cursor));
    }

    [Fact]
    public void EachBusInstance_HasItsOwnProcessPrefix()
    {
        // Random 32-bit values: two of three buses sharing one would be a 1 in 2^31 event.
        using var first = CreateBus();
        using var second = CreateBus();
        using var third = CreateBus();

        Assert.True(first.ProcessHex != second.ProcessHex || first.ProcessHex != third.ProcessHex);
    }

    [Fact]
    public void Cursor_RoundTrips()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["a", "b", "c"]);
        bus.PublishNumbers("a", 3);
        bus.PublishNumbers("c", 20);
        reader.Subscription.Read([], 2);
        string cursor = reader.Cursor;

        using var resumed = new TestReader(bus, ["a", "b", "c"], cursor);

        Assert.Equal(cursor, resumed.Cursor);
    }

    [Fact]
    public void Cursor_IsCached_UntilThePositionChanges()
    {
        using var bus = CreateBus();
        using var reader = new TestReader(bus, ["a", "b"]);

        string first = reader.Cursor;
        Assert.Same(first, reader.Cursor);

        reader.Subscription.Read([], 10);
        Assert.Same(first, reader.Cursor);

        bus.Publish("a", "1");
        Assert.Same(first, reader.Cursor);

        reader.Subscription.Read([], 10);
        string second = reader.Cursor;
        Assert.NotEqual(first, second);
        Assert.Same(second, reader.Cursor);
    }

    [Fact]
    public void CursorFromAnotherBus_StartsAtNow()
    {
        using var other = CreateBus();
        using var bus = CreateBus();
        Assert.NotEqual(other.ProcessHex, bus.ProcessHex);
        bus.Publish("a", "1", "2");

        // Same topic keys and positions, but another process prefix (a restarted server or another node).
        string foreign = $"d-{other.ProcessHex}-{bus.KeyOf("a")},0";
        using var reader = new TestReader(bus, "a", foreign);

        Assert.Equal(0, reader.Notifications);
        Assert.Empty(reader.DrainTexts());
        Assert.Equal($"d-{bus.ProcessHex}-{bus.KeyOf("a")},2", reader.Cursor);
    }

    public static TheoryData<string?> GarbageCursors()
    {
        // {P} is this bus's process prefix, {A} the key of topic "a" (whose own entry would resume at 0 if honoured).
        var data = new TheoryData<string?>
        {
            null,
            "",
            " ",
            "d",
            "d-",
            "d--",
            "d---",
            "d-XYZ-",
            "d-XYZ-{A},0",
            "d-{P}",
            "D-{P}-{A},0",
            "d-{P}-{A},a",
            "e-{P}-{A},0",
            " d-{P}-{A},0",
            "d-{P}-{A},0 ",
            "d-{P}- {A},0",
            "d-{P}-{A}",
            "d-{P}-{A},",
            "d-{P}-,0",
            "d-{P}-{A},0|",
            "d-{P}-|{A},0",
            "d-{P}-{A},0||{A},0",
            "d-{P}-{A},0,0",
            "d-{P}-{A},-1",
            "d-{P}-{A},+1",
            "d-{P}-{A},0x0",
            "d-{P}-{A},G",
            "d-{P}-{A},0|ZZ,1",
            "d-{P}-{A},0|1,ff",
            "d-{P}-{A},0|10000000000000000,0",
            "d-{P}-{A},0|1,10000000000000000",
            "d-{P}-{A},0|00000000000000001,0",
            "d-1{P}-{A},0",
            "d-{P}{P}-{A},0",
            "d-{P}-{A};0",
            "d-{P}-{A},0\u0000",
            "d-{P}-{A},٠",
            "d-{P}-{A},０",
            "d-{P}-{A},0|é,1",
            "s-0,1F|1,8",
            "{\"C\":\"d-{P}-{A},0\"}",
            "\"d-{P}-{A},0\"",
            "d-{P}-{A},0\\|1,2",
            "%64-{P}-{A},0",
            new string('A', 1_000_000),
            "d-{P}-" + new string('F', 100_000),
            "d-{P}-{A},0|" + string.Join("|", Enumerable.Repeat("FFFF,0", 60_000)),
            "d-{P}-{A},0|" + new string('|', 10_000),
            "d-" + string.Concat(Enumerable.Repeat("A,FFFFFFFFFFFFFFFF|", 200)),
            "\uD800d-{P}-{A},0",
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(GarbageCursors))]
    public void GarbageCursor_StartsEveryTopicAtNow_AndNeverThrows(string? template)
    {
        using var bus = CreateBus();
        bus.Publish("a", "old1", "old2");
        bus.Publish("b", "old");
        string? cursor = template?.Replace("{P}", bus.ProcessHex, StringComparison.Ordinal)
            .Replace("{A}", bus.KeyOf("a"), StringComparison.Ordinal);

        using var reader = new TestReader(bus, ["a", "b"], cursor);

        Assert.Equal(0, reader.Notifications);
        Assert.Empty(reader.DrainTexts());
        Assert.Equal($"d-{bus.ProcessHex}-{bus.KeyOf("a")},2|{bus.KeyOf("b")},1", reader.Cursor);
        bus.Publish("a", "new");
        Assert.Equal(["new"], reader.DrainTexts());
    }

    [Fact]
    public void ValidControlCase_TheSameEntryInAWellFormedCursorIsHonoured()
    {
        // Guards the garbage theory: without the damage, the {A},0 entry resumes topic "a" from the start.
        using var bus = CreateBus();
        bus.Publish("a", "old1", "old2");

        using var reader = new TestReader(bus, ["a", "b"], $"d-{bus.ProcessHex}-{bus.KeyOf("a")},0");

        Assert.Equal(["old1", "old2"], reader.DrainTexts());
    }

    [Fact]
    public void Cursor_WithLeadingZeros_IsAccepted()
    {
        using var bus = CreateBus();
        bus.Publish("a", "old1", "old2");

        using var reader = new TestReader(bus, ["a"], $"d-{bus.ProcessHex}-000{bus.KeyOf("a")},0001");

        Assert.Equal(["old2"], reader.DrainTexts());
    }

    [Fact]
    public void Cursor_WithAnEmptyEntryList_StartsAtNow()
    {
        using var bus = CreateBus();
        bus.Publish("a", "old");

        using var reader = new TestReader(bus, ["a"], $"d-{bus.ProcessHex}-");

        Assert.Empty(reader.DrainTexts());
    }

    [Fact]
    public void CursorKeysForTopicsNotCovered_AreDropped()
    {
        using var bus = CreateBus();
        string cursor;
        using (var reader = new TestReader(bus, ["a", "b", "c"]))
        {
            cursor = reader.Cursor;
        }

        bus.Publish("a", "1");
        bus.Publish("b", "2");

        using var resumed = new TestReader(bus, ["a"], cursor);

        Assert.Equal(["1"], resumed.DrainTexts());
        Assert.Equal($"d-{bus.ProcessHex}-{bus.KeyOf("a")},1", resumed.Cursor);
    }

    [Fact]
    public void CoveredTopicsAbsentFromTheCursor_StartAtNow()
    {
        using var bus = CreateBus();
        string cursor;
        using (var reader = new TestReader(bus, ["a"]))
        {
            cursor = reader.Cursor;
        }

        bus.Publish("a", "a1");
        bus.Publish("b", "b-old");

        using var resumed = new TestReader(bus, ["a", "b"], cursor);
        Assert.Equal(["a1"], resumed.DrainTexts());

        bus.Publish("b", "b-new");
        Assert.Equal(["b-new"], resumed.DrainTexts());
    }

    [Fact]
    public void CursorWithManyEntries_IsMatchedByKey()
    {
        // Many topics and entries: the cursor is indexed rather than scanned; the result must be the same.
        using var bus = CreateBus();
        string[] topics = Enumerable.Range(0, 300).Select(i => $"g{i}").ToArray();
        string cursor;
        using (var reader = new TestReader(bus, topics))
        {
            cursor = reader.Cursor;
        }

        foreach (string topic in topics)
        {
            bus.Publish(topic, $"\"{topic}\"");
        }

        using var resumed = new TestReader(bus, topics.Reverse(), cursor);

        Assert.Equal(topics.Select(t => $"\"{t}\"").Order(), resumed.DrainTexts().Order());
    }

    [Fact]
    public void Cursor_WithDuplicateKeys_UsesTheFirst()
    {
        using var bus = CreateBus();
        bus.Publish("a", "1", "2", "3");
        string key = bus.KeyOf("a");

        using var reader = new TestReader(bus, ["a"], $"d-{bus.ProcessHex}-{key},1|{key},0");

        Assert.Equal(["2", "3"], reader.DrainTexts());
    }

    [Fact]
    public void RandomMutationsOfAValidCursor_NeverThrow_AndNeverRepeatOrReorder()
    {
        using var bus = CreateBus(bufferSize: 16);
        bus.PublishNumbers("a", 10);
        bus.PublishNumbers("b", 30, first: 100);
        string valid = $"d-{bus.ProcessHex}-{bus.KeyOf("a")},4|{bus.KeyOf("b")},15";
        const string alphabet = "0123456789ABCDEFabcdefd-,|xZ\"\\ é\u0000";
        var random = new Random(12345);

        for (int round = 0; round < 2000; round++)
        {
            var text = new StringBuilder(valid);
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(text.Length + 1);
                switch (random.Next(3))
                {
                    case 0 when at < text.Length:
                        text.Remove(at, 1);
                        break;
                    case 1 when at < text.Length:
                        text[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    default:
                        text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                }
            }

            using var reader = new TestReader(bus, ["a", "b"], text.ToString());
            List<Message> read = reader.Subscription.Drain(max: 5);

            // Whatever the damage, each topic yields a tail of its buffer in order, once.
            foreach (var topic in read.GroupBy(m => m.Topic))
            {
                List<int> ids = topic.Select(m => int.Parse(m.Text(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
                int last = topic.Key == "a" ? 9 : 129;
                Assert.Equal(Enumerable.Range(last - ids.Count + 1, ids.Count), ids);
            }

            Assert.Matches(CursorShape(), reader.Cursor.Replace($"d-{bus.ProcessHex}-", "d-1-", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void RandomStrings_NeverThrow()
    {
        using var bus = CreateBus();
        bus.Publish("a", "1");
        var random = new Random(54321);
        string prefix = $"d-{bus.ProcessHex}-";

        for (int round = 0; round < 2000; round++)
        {
            var chars = new char[random.Next(0, 64)];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = random.Next(4) == 0 ? (char)random.Next(0, 0x10000) : "0123456789ABCDEF,|-d"[random.Next(20)];
            }

            string cursor = (random.Next(2) == 0 ? prefix : "") + new string(chars);
            using IMessageSubscription subscription = bus.Subscribe(["a"], cursor, () => { });
            subscription.Drain();
            Assert.StartsWith(prefix, subscription.Cursor, StringComparison.Ordinal);
        }
    }
}
