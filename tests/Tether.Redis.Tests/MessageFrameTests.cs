using System.Text;
using Tether.Redis.Internal;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary>The binary frame between nodes and its text envelope.</summary>
public sealed class MessageFrameTests
{
    [Fact]
    public void DataMessageRoundTrips()
    {
        var message = new Message("pcg-App.Room é", Encoding.UTF8.GetBytes("{\"a\":\"ü\"}"), ["c1", "c2"]);
        Assert.True(MessageFrame.TryDecode(MessageFrame.Encode(message), null, out var decoded));
        Assert.Equal(message.Topic, decoded!.Topic);
        Assert.Equal(message.Payload.ToArray(), decoded.Payload.ToArray());
        Assert.Equal(["c1", "c2"], decoded.ExcludedConnectionIds!);
        Assert.Null(decoded.Command);
    }

    [Theory]
    [InlineData(CommandType.Abort, null, 0UL)]
    [InlineData(CommandType.AddToGroup, "App.room", 0x1234_5678_9ABC_DEF0UL)]
    [InlineData(CommandType.RemoveFromGroup, "", 7UL)]
    public void CommandRoundTrips(CommandType type, string? value, ulong position)
    {
        var message = Message.ForCommand("c-1", new Command(type, value, position));
        Assert.True(MessageFrame.TryDecode(MessageFrame.Encode(message), null, out var decoded));
        Assert.Equal(new Command(type, value, position), decoded!.Command);
        Assert.True(decoded.Payload.IsEmpty);
    }

    [Fact]
    public void EveryTruncationAndTrailingByteIsRejected()
    {
        byte[] frame = MessageFrame.Encode(Message.ForCommand("c-1", new Command(CommandType.AddToGroup, "g", 5)));
        for (int length = 0; length < frame.Length; length++)
        {
            Assert.False(MessageFrame.TryDecode(frame.AsSpan(0, length), null, out _), $"length {length}");
        }

        Assert.False(MessageFrame.TryDecode([.. frame, 0], null, out _));
        Assert.False(MessageFrame.TryDecode([2, .. frame.AsSpan(1)], null, out _));
    }

    [Fact]
    public void GarbageIsRejectedWithoutThrowing()
    {
        var random = new Random(42);
        byte[] buffer = new byte[64];
        for (int i = 0; i < 5000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = MessageFrame.Version;
            _ = MessageFrame.TryDecode(buffer.AsSpan(0, random.Next(buffer.Length)), null, out _);
        }
    }

    [Theory]
    [InlineData("12:34:", true, 12UL, 34UL)]
    [InlineData("1799999999999999:1799999999999000:x", true, 1799999999999999UL, 1799999999999000UL)]
    [InlineData(":34:", false, 0UL, 0UL)]
    [InlineData("12:", false, 0UL, 0UL)]
    [InlineData("0:1:", false, 0UL, 1UL)]
    [InlineData("-1:1:", false, 0UL, 0UL)]
    [InlineData("1x:1:", false, 0UL, 0UL)]
    public void EnvelopeSplits(string text, bool ok, ulong id, ulong epoch)
    {
        Assert.Equal(ok, Envelope.TrySplit(Encoding.ASCII.GetBytes(text), out ulong actualId, out ulong actualEpoch, out _));
        if (ok)
        {
            Assert.Equal(id, actualId);
            Assert.Equal(epoch, actualEpoch);
        }
    }

    [Theory]
    [InlineData("*3:1:2", true, "1:2", "")]
    [InlineData("*3:1:25:3:4:x", true, "1:2", "5:3:4:x")]
    [InlineData("*4:1:2", false, "", "")]
    [InlineData("*0:", false, "", "")]
    [InlineData("*:1:2", false, "", "")]
    [InlineData("*-1:1", false, "", "")]
    [InlineData("*x3:1:2", false, "", "")]
    public void BatchEntriesSplit(string text, bool ok, string envelope, string rest)
    {
        Assert.True(Envelope.IsBatch(Encoding.ASCII.GetBytes(text), out ReadOnlySpan<byte> entries));
        Assert.Equal(ok, Envelope.TryTakeEntry(ref entries, out ReadOnlySpan<byte> taken));
        if (ok)
        {
            Assert.Equal(envelope, Encoding.ASCII.GetString(taken));
            Assert.Equal(rest, Encoding.ASCII.GetString(entries));
        }
    }

    [Fact]
    public void OneEnvelopeIsNotABatch() => Assert.False(Envelope.IsBatch("12:34:x"u8, out _));
}
