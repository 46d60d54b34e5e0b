using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;
using Tether.Server.Internal;

namespace Tether.Server.Tests.Requests;

/// <summary>
/// The cache of unprotected tokens: bounded in entries and in bytes whatever is added, answers only for the exact text
/// Data Protection accepted, never for a token it refused, and never longer than its maximum age after the unprotect.
/// </summary>
public sealed class UnprotectedTokenCacheTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    [Fact]
    public void EntriesStayWithinTheirBound_AndTheLatestAreKept()
    {
        var cache = NewCache(maxEntries: 10, maxBytes: 1 << 20, new FakeTimeProvider());
        for (int i = 0; i < 1_000; i++)
        {
            cache.Add("token-" + i, "value-" + i);
            Assert.InRange(cache.Count, 1, 10);
        }

        Assert.True(cache.TryGet("token-999", out string value));
        Assert.Equal("value-999", value);
        Assert.False(cache.TryGet("token-0", out _));
    }

    [Fact]
    public void BytesStayWithinTheirBound()
    {
        // Each entry: overhead + 2 bytes per character of a 100-character token and a 100-character value.
        long entryBytes = UnprotectedTokenCache<string>.EntryOverheadBytes + (2 * 200);
        long maxBytes = 8 * entryBytes;
        var cache = NewCache(maxEntries: 1_000_000, maxBytes, new FakeTimeProvider());
        for (int i = 0; i < 1_000; i++)
        {
            cache.Add(i.ToString("D100", System.Globalization.CultureInfo.InvariantCulture), new string('v', 100));
            Assert.InRange(cache.Bytes, entryBytes, maxBytes);
        }

        Assert.InRange(cache.Count, 1, 8);
    }

    [Fact]
    public void AnEntryLargerThanAGeneration_IsNotKept()
    {
        var cache = NewCache(maxEntries: 10, maxBytes: 1024, new FakeTimeProvider());
        cache.Add(new string('t', 1024), "value");
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public async Task ConcurrentAdds_StayWithinBothBounds()
    {
        long entryBytes = UnprotectedTokenCache<string>.EntryOverheadBytes + (2 * 20);
        var cache = NewCache(maxEntries: 64, maxBytes: 40 * entryBytes, new FakeTimeProvider());
        int over = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                cache.Add($"{w}-{i:D8}", $"{i:D10}"[..8]);
                _ = cache.TryGet($"{w}-{i / 2:D8}", out _);
                if (cache.Count > 64 || cache.Bytes > 40 * entryBytes)
                {
                    Interlocked.Increment(ref over);
                }
            }
        }));
        await Task.WhenAll(writers).DefaultTimeout();

        Assert.Equal(0, over);
        Assert.InRange(cache.Count, 1, 40);
    }

    [Fact]
    public void AnEntryAnswers_OnlyUntilItsMaximumAge_EvenWhenUsedAllTheTime()
    {
        var time = new FakeTimeProvider();
        var cache = NewCache(maxEntries: 4, maxBytes: 1 << 20, time);
        cache.Add("kept", "value");
        for (int i = 0; i < 9; i++)
        {
            // Other entries rotate the generations: the used entry moves along, keeping its age.
            cache.Add("other-" + i, "x");
            time.Advance(MaxAge / 10);
            Assert.True(cache.TryGet("kept", out _), $"after {i + 1} tenths of the maximum age");
        }

        time.Advance(MaxAge / 10);
        Assert.False(cache.TryGet("kept", out _));
    }

    [Fact]
    public void Protector_RemembersAcceptedTokens_AndNeverRefusedOnes()
    {
        var tokens = new ConnectionTokenProtector(new EphemeralDataProtectionProvider(), "Cached");
        string token = tokens.ProtectConnectionToken("c1", "ann:admin");
        for (int i = 0; i < 3; i++)
        {
            Assert.True(tokens.TryUnprotectConnectionToken(token, out string id, out string user));
            Assert.Equal(("c1", "ann:admin"), (id, user));
        }

        Assert.Equal(1, tokens.ConnectionCache.Count);
        Assert.True(tokens.TryGetRemembered(token.ToCharArray(), out string rememberedId, out string rememberedUser));
        Assert.Equal(("c1", "ann:admin"), (rememberedId, rememberedUser));
        Assert.False(tokens.TryGetRemembered(token.AsSpan(1), out _, out _));

        var other = new ConnectionTokenProtector(new EphemeralDataProtectionProvider(), "Cached");
        string foreign = other.ProtectConnectionToken("c2", string.Empty);
        for (int i = 0; i < 100; i++)
        {
            Assert.False(tokens.TryUnprotectConnectionToken(foreign, out _, out _));
            Assert.False(tokens.TryUnprotectConnectionToken(token[..^(1 + (i % 10))], out _, out _));
        }

        Assert.Equal(1, tokens.ConnectionCache.Count);
    }

    [Fact]
    public void Protector_TokensOfAnotherConnectionType_AreRefusedEvenWhenRemembered()
    {
        var provider = new EphemeralDataProtectionProvider();
        var first = new ConnectionTokenProtector(provider, "First");
        var second = new ConnectionTokenProtector(provider, "Second");
        string token = first.ProtectConnectionToken("c1", string.Empty);
        Assert.True(first.TryUnprotectConnectionToken(token, out _, out _));

        Assert.False(second.TryUnprotectConnectionToken(token, out _, out _));
    }

    [Fact]
    public void Protector_GroupsTokens_AreRememberedPerOwner_AndEachReadIsAFreshList()
    {
        var tokens = new ConnectionTokenProtector(new EphemeralDataProtectionProvider(), "Cached");
        string groupsToken = tokens.ProtectGroupsToken("c1", ["Cached.a", "Cached.b"]);

        var first = tokens.UnprotectGroupsToken(groupsToken, "c1");
        first.Add("Cached.changed");
        Assert.Equal(["Cached.a", "Cached.b"], tokens.UnprotectGroupsToken(groupsToken, "c1"));
        Assert.Empty(tokens.UnprotectGroupsToken(groupsToken, "c2"));
    }

    [Fact]
    public void Protector_TokensReadWithoutRemembering_AreAcceptedButNotKept()
    {
        // WebSocket requests: the client sends its tokens over HTTP once or twice, then never again.
        var tokens = new ConnectionTokenProtector(new EphemeralDataProtectionProvider(), "Cached");
        string token = tokens.ProtectConnectionToken("c1", "ann");
        string groupsToken = tokens.ProtectGroupsToken("c1", ["Cached.a"]);

        Assert.True(tokens.TryUnprotectConnectionToken(token, out string id, out string user, remember: false));
        Assert.Equal(("c1", "ann"), (id, user));
        Assert.Equal(["Cached.a"], tokens.UnprotectGroupsToken(groupsToken, "c1", remember: false));

        Assert.Equal(0, tokens.ConnectionCache.Count);
        Assert.False(tokens.TryGetRemembered(token, out _, out _));
        Assert.False(tokens.TryUnprotectConnectionToken(token[..^2], out _, out _, remember: false));
        Assert.Empty(tokens.UnprotectGroupsToken(groupsToken, "c2", remember: false));
    }

    private static UnprotectedTokenCache<string> NewCache(int maxEntries, long maxBytes, TimeProvider time) =>
        new(maxEntries, maxBytes, MaxAge, time, static v => v.Length);
}
