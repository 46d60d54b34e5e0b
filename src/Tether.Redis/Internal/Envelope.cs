using System.Buffers.Text;

namespace Tether.Redis.Internal;

/// <summary>
/// What the publish script stores and publishes: <c>&lt;id&gt;:&lt;epoch&gt;:&lt;frame&gt;</c>, the id and epoch in decimal
/// ASCII (the script writes them; Lua has no 64-bit integers, so both stay below 2^53), then the binary
/// <see cref="MessageFrame"/>.
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
}
