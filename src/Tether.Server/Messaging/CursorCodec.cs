using System.Globalization;
using System.Numerics;

namespace Tether.Server.Messaging;

/// <summary>
/// The text form of an <see cref="InMemoryMessageBus"/> cursor: <c>d-&lt;PROCESS&gt;-&lt;key&gt;,&lt;id&gt;|&lt;key&gt;,&lt;id&gt;...</c>,
/// and the hex and entry helpers every bus's cursors share.
/// </summary>
/// <remarks>
/// <para>Every number is uppercase hexadecimal without padding: PROCESS is the bus's random 32-bit id, a key is a topic's
/// creation sequence number in that bus, and an id is the next message id to read from that topic. Only the characters
/// <c>0-9 A-F d - , |</c> occur, so the cursor is ASCII and JSON-safe without escaping.</para>
/// <para>Parsing is strict and never throws: anything that is not exactly this shape, with at most 16 hex digits per number,
/// is rejected as a whole, and the caller then starts every topic at "now".</para>
/// </remarks>
internal static class CursorCodec
{
    /// <summary>The longest cursor that is parsed; longer input is treated as garbage (it bounds the work per subscribe).</summary>
    /// <remarks>About 7,000 entries of realistic size: far more topics than a connection subscribes to.</remarks>
    public const int MaxLength = 256 * 1024;

    private const string Prefix = "d-";
    private const int MaxHexDigits = 16;

    /// <summary>The length of "d-&lt;PROCESS&gt;-", to which the entries are appended.</summary>
    /// <param name="processHex">The bus's id, formatted with <see cref="FormatProcessId"/>.</param>
    /// <returns>The length of the header.</returns>
    public static int HeaderLength(string processHex) => Prefix.Length + processHex.Length + 1;

    /// <summary>Formats a bus's process id: uppercase hex, no padding.</summary>
    /// <param name="processId">The id.</param>
    /// <returns>The hex digits.</returns>
    public static string FormatProcessId(uint processId) => processId.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>Writes "d-&lt;PROCESS&gt;-".</summary>
    /// <param name="destination">At least <see cref="HeaderLength"/> characters.</param>
    /// <param name="processHex">The bus's id, formatted with <see cref="FormatProcessId"/>.</param>
    /// <returns>The characters written.</returns>
    public static int WriteHeader(Span<char> destination, string processHex)
    {
        Prefix.CopyTo(destination);
        processHex.CopyTo(destination[Prefix.Length..]);
        destination[Prefix.Length + processHex.Length] = '-';
        return Prefix.Length + processHex.Length + 1;
    }

    /// <summary>The length of one "&lt;key&gt;,&lt;id&gt;" entry, without a separator.</summary>
    /// <param name="key">The topic key.</param>
    /// <param name="id">The next id to read.</param>
    /// <returns>The length.</returns>
    public static int EntryLength(ulong key, ulong id) => HexLength(key) + 1 + HexLength(id);

    /// <summary>Writes one "&lt;key&gt;,&lt;id&gt;" entry, without a separator.</summary>
    /// <param name="destination">At least <see cref="EntryLength"/> characters.</param>
    /// <param name="key">The topic key.</param>
    /// <param name="id">The next id to read.</param>
    /// <returns>The characters written.</returns>
    public static int WriteEntry(Span<char> destination, ulong key, ulong id)
    {
        int written = WriteHex(destination, key);
        destination[written++] = ',';
        return written + WriteHex(destination[written..], id);
    }

    /// <summary>Checks a whole cursor and, when it was issued by this bus and is well-formed, returns its entry list.</summary>
    /// <param name="cursor">The cursor a client sent back, possibly <see langword="null"/>, foreign or garbage.</param>
    /// <param name="processId">This bus's process id.</param>
    /// <param name="entries">The entries after the header (possibly empty), to be read with <see cref="TryReadEntry"/>.</param>
    /// <param name="entryCount">How many entries there are.</param>
    /// <returns><see langword="true"/> when the cursor is usable; otherwise the caller starts every topic at "now".</returns>
    public static bool TryGetEntries(string? cursor, uint processId, out ReadOnlySpan<char> entries, out int entryCount)
    {
        entries = default;
        entryCount = 0;
        if (cursor is null || cursor.Length > MaxLength || !cursor.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> rest = cursor.AsSpan(Prefix.Length);
        int dash = rest.IndexOf('-');
        if (dash < 0 || !TryParseHex(rest[..dash], out ulong process) || process != processId)
        {
            return false;
        }

        rest = rest[(dash + 1)..];
        ReadOnlySpan<char> body = rest;
        int count = 0;
        while (!rest.IsEmpty)
        {
            if (!TryReadEntry(ref rest, out _, out _))
            {
                return false;
            }

            count++;
        }

        entries = body;
        entryCount = count;
        return true;
    }

    /// <summary>Reads the next "&lt;key&gt;,&lt;id&gt;" entry and its "|" separator.</summary>
    /// <param name="entries">The remaining entries; advanced past the one read.</param>
    /// <param name="key">The topic key.</param>
    /// <param name="id">The next id to read.</param>
    /// <returns><see langword="false"/> when the entry is malformed (including a trailing separator).</returns>
    public static bool TryReadEntry(ref ReadOnlySpan<char> entries, out ulong key, out ulong id)
    {
        ReadOnlySpan<char> entry;
        int bar = entries.IndexOf('|');
        if (bar < 0)
        {
            entry = entries;
            entries = default;
        }
        else
        {
            entry = entries[..bar];
            entries = entries[(bar + 1)..];
        }

        int comma = entry.IndexOf(',');
        if (comma < 0)
        {
            key = 0;
            id = 0;
            return false;
        }

        bool ok = TryParseHex(entry[..comma], out key) & TryParseHex(entry[(comma + 1)..], out id);

        // "A,1|" has a separator with nothing after it: not a cursor this bus writes.
        return ok && (bar < 0 || !entries.IsEmpty);
    }

    /// <summary>Finds the id of <paramref name="key"/> in a validated entry list; the first entry for a key wins.</summary>
    /// <param name="entries">The entries of <see cref="TryGetEntries"/>.</param>
    /// <param name="key">The topic key.</param>
    /// <param name="id">Its id.</param>
    /// <returns>Whether the key is there.</returns>
    public static bool TryFind(ReadOnlySpan<char> entries, ulong key, out ulong id)
    {
        while (!entries.IsEmpty && TryReadEntry(ref entries, out ulong entryKey, out ulong entryId))
        {
            if (entryKey == key)
            {
                id = entryId;
                return true;
            }
        }

        id = 0;
        return false;
    }

    /// <summary>Indexes a validated entry list by key; the first entry for a key wins.</summary>
    /// <param name="entries">The entries of <see cref="TryGetEntries"/>.</param>
    /// <param name="count">How many there are.</param>
    /// <returns>The ids by key.</returns>
    public static Dictionary<ulong, ulong> BuildIndex(ReadOnlySpan<char> entries, int count)
    {
        var index = new Dictionary<ulong, ulong>(count);
        while (!entries.IsEmpty && TryReadEntry(ref entries, out ulong key, out ulong id))
        {
            index.TryAdd(key, id);
        }

        return index;
    }

    /// <summary>How many hex digits <paramref name="value"/> takes without padding.</summary>
    /// <param name="value">The value.</param>
    /// <returns>1 to 16.</returns>
    public static int HexLength(ulong value) => value == 0 ? 1 : (67 - BitOperations.LeadingZeroCount(value)) >> 2;

    /// <summary>Writes <paramref name="value"/> in uppercase hex without padding.</summary>
    /// <param name="destination">At least <see cref="HexLength"/> characters.</param>
    /// <param name="value">The value.</param>
    /// <returns>The characters written.</returns>
    public static int WriteHex(Span<char> destination, ulong value)
    {
        int length = HexLength(value);
        for (int i = length - 1; i >= 0; i--)
        {
            destination[i] = "0123456789ABCDEF"[(int)(value & 0xF)];
            value >>= 4;
        }

        return length;
    }

    /// <summary>Parses 1 to 16 uppercase hex digits; nothing else (no sign, whitespace, prefix or lowercase).</summary>
    /// <param name="digits">The digits.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether they were valid.</returns>
    public static bool TryParseHex(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > MaxHexDigits)
        {
            return false;
        }

        foreach (char c in digits)
        {
            uint digit;
            if (c is >= '0' and <= '9')
            {
                digit = (uint)(c - '0');
            }
            else if (c is >= 'A' and <= 'F')
            {
                digit = (uint)(c - 'A' + 10);
            }
            else
            {
                value = 0;
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }
}
