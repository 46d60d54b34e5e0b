using System.Buffers.Text;

namespace Tether.Redis.Internal;

/// <summary>
/// What the publish script stores and publishes: <c>&lt;id&gt;:&lt;epoch&gt;:&lt;frame&gt;</c>, the id and epoch in decimal
/// ASCII (the script writes them; Lua has no 64-bit integers, so both stay below 2^53), then the binary
/// <see cref="MessageFrame"/>. A batch of several messages is published as one value: <c>*</c>, then for each message
/// its envelope's length in decimal, <c>:</c> and the envelope.
/// </summary>
internal static class Envelope
{
    /// <summary>Splits an envelope.</summary>
    /// <param name="data">The published or stored bytes.</param>
    /// <param name="id">The message's global id.</param>
    /// <param name="epoch">The epoch (see <see cref="Scripts.Publish"/>) the id belongs to.</param>
    /// <param name="frame">The binary frame.</param>
    /// <returns><see langword="false"/> when the bytes are not an envelope.</returns>
    public static bool TrySplit(ReadOnlySpan<byte> data, out ulong id, out ulong epoch, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        epoch = 0;
        id = 0;
        int first = data.IndexOf((byte)':');
        if (first <= 0 || !Utf8Parser.TryParse(data[..first], out id, out int consumed) || consumed != first)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = data[(first + 1)..];
        int second = rest.IndexOf((byte)':');
        if (second <= 0 || !Utf8Parser.TryParse(rest[..second], out epoch, out consumed) || consumed != second)
        {
            return false;
        }

        frame = rest[(second + 1)..];
        return id > 0;
    }

    /// <summary>Whether a published value is a batch of several envelopes.</summary>
    /// <param name="published">The published value.</param>
    /// <param name="entries">The batch's entries, for <see cref="TryTakeEntry"/>.</param>
    /// <returns><see langword="true"/> for a batch; otherwise the value is one envelope.</returns>
    public static bool IsBatch(ReadOnlySpan<byte> published, out ReadOnlySpan<byte> entries)
    {
        bool batch = !published.IsEmpty && published[0] == (byte)'*';
        entries = batch ? published[1..] : default;
        return batch;
    }

    /// <summary>Takes the next envelope of a batch.</summary>
    /// <param name="entries">The entries left; advanced past the one taken.</param>
    /// <param name="envelope">The envelope.</param>
    /// <returns><see langword="false"/> when the entries are malformed (the rest is then unusable).</returns>
    public static bool TryTakeEntry(ref ReadOnlySpan<byte> entries, out ReadOnlySpan<byte> envelope)
    {
        envelope = default;
        int colon = entries.IndexOf((byte)':');
        if (colon <= 0 || !Utf8Parser.TryParse(entries[..colon], out int length, out int consumed) || consumed != colon
            || length <= 0 || length > entries.Length - colon - 1)
        {
            return false;
        }

        envelope = entries.Slice(colon + 1, length);
        entries = entries[(colon + 1 + length)..];
        return true;
    }
}
