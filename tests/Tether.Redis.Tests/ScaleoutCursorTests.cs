using Tether.Redis.Internal;

namespace Tether.Redis.Tests;

/// <summary>The scale-out cursor: format, strict parsing, JSON safety.</summary>
public sealed class ScaleoutCursorTests
{
    private const uint Cluster = 0xABCD1234;

    [Fact]
    public void RoundTripsWithTopicEntries()
    {
        string cursor = ScaleoutCursor.Format(Cluster, 0x66E1C3F2A10, [(0xFFFFFFFFFFFFFFFF, 0x10), (1, 0)]);
        Assert.Equal("s-ABCD1234,66E1C3F2A10|FFFFFFFFFFFFFFFF,10|1,0", cursor);
        Assert.True(ScaleoutCursor.TryParse(cursor, Cluster, out ulong position, out var overrides));
        Assert.Equal(0x66E1C3F2A10UL, position);
        Assert.Equal(0x10UL, overrides![0xFFFFFFFFFFFFFFFF]);
        Assert.Equal(0UL, overrides[1]);
        Assert.Matches("^[0-9A-Fs,|-]+$", cursor);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("d-1A2B-0,5")]
    [InlineData("s-ABCD1235,5")]
    [InlineData("s-ABCD1234")]
    [InlineData("s-ABCD1234,")]
    [InlineData("s-ABCD1234,5|")]
    [InlineData("s-ABCD1234,5|1")]
    [InlineData("s-ABCD1234,5|1,x")]
    [InlineData("s-ABCD1234,5a")]
    [InlineData("s-ABCD1234,11111111111111111")]
    [InlineData("s-ABCD1234,+5")]
    [InlineData("S-ABCD1234,5")]
    public void ForeignOrMalformedCursorsAreRejected(string? cursor)
    {
        Assert.False(ScaleoutCursor.TryParse(cursor, Cluster, out _, out _));
    }

    [Fact]
    public void OverlongCursorIsRejected()
    {
        string cursor = "s-ABCD1234,5" + string.Concat(Enumerable.Repeat("|1,2", ScaleoutCursor.MaxLength / 4));
        Assert.False(ScaleoutCursor.TryParse(cursor, Cluster, out _, out _));
    }
}
