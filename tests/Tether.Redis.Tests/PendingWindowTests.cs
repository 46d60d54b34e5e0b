using System.Text;
using Tether.Redis.Internal;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary>The intake's set of messages waiting for a missing id: bounded by ids and bytes, O(1) by id.</summary>
public class PendingWindowTests
{
    private static Message Sized(int bytes) => new("t", Encoding.UTF8.GetBytes(new string('1', bytes)));

    [Fact]
    public void HoldsOnlyIdsWithinTheWindow()
    {
        var window = new PendingWindow(8, long.MaxValue);
        for (ulong id = 102; id < 130; id++)
        {
            window.TryAdd(100, id, Sized(1));
        }

        Assert.Equal(6, window.Count);
        Assert.Equal(22, window.Refused);
        Assert.Equal(102UL, window.Lowest);
    }

    [Fact]
    public void HoldsAtMostMaxBytes_ButAlwaysOneMessage()
    {
        var window = new PendingWindow(100, 1000);
        Assert.True(window.TryAdd(0, 5, Sized(5000)));
        Assert.False(window.TryAdd(0, 6, Sized(1)));

        var second = new PendingWindow(100, 1000);
        Assert.True(second.TryAdd(0, 2, Sized(400)));
        Assert.True(second.TryAdd(0, 3, Sized(400)));
        Assert.False(second.TryAdd(0, 4, Sized(400)));
        Assert.Equal(800, second.Bytes);
    }

    [Fact]
    public void TakesInIdOrder_AndTracksTheLowest()
    {
        var window = new PendingWindow(16, long.MaxValue);
        foreach (ulong id in new ulong[] { 9, 4, 7, 3 })
        {
            Assert.True(window.TryAdd(1, id, Sized(1)));
        }

        Assert.False(window.TryAdd(1, 7, Sized(1)));
        Assert.Equal(3UL, window.Lowest);
        Assert.True(window.TryTake(3, out _));
        Assert.Equal(4UL, window.Lowest);
        Assert.False(window.TryTake(5, out _));

        window.DropThrough(8);
        Assert.Equal(1, window.Count);
        Assert.Equal(9UL, window.Lowest);
        Assert.Equal(1, window.Bytes);
    }
}
