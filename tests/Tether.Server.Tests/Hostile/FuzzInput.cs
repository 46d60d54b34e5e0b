using System.Text;

namespace Tether.Server.Tests.Hostile;

/// <summary>Seeded generators of hostile text and bytes for the parser fuzz tests: the same seed gives the same inputs.</summary>
internal sealed class FuzzInput(int seed)
{
    private static readonly string[] s_interesting =
    [
        "\"", "\\", "/", "<", ">", "&", "'", "%", "+", "=", ":", ";", ",", ".", "|", "-", "_", "$", " ", "\t", "\r", "\n", "\0",
        "\u0001", "\u001f", "\u007f", "\u0080", "é", "ß", "漢", "😀", "\u2028", "\u2029", "\uFEFF", "\uFFFD", "</script>", "%ZZ", "%E0%A4",
    ];

    public Random Random { get; } = new(seed);

    /// <summary>Text of 0 to <paramref name="maxLength"/> characters mixing ASCII, JSON/HTML/URL specials, controls and non-ASCII.</summary>
    public string Text(int maxLength = 64)
    {
        int length = Random.Next(maxLength + 1);
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append(Random.Next(4) switch
            {
                0 => ((char)Random.Next(0x20, 0x7F)).ToString(),
                1 => s_interesting[Random.Next(s_interesting.Length)],
                2 => "0123456789ABCDEFabcdef"[Random.Next(22)].ToString(),
                _ => ((char)Random.Next(0, 0x3000)).ToString(),
            });
        }

        // Whole text elements only: strings decoded from HTTP never hold lone surrogates (bad UTF-8 becomes U+FFFD).
        return builder.ToString();
    }

    /// <summary>Random bytes, 0 to <paramref name="maxLength"/>.</summary>
    public byte[] Bytes(int maxLength = 64)
    {
        var bytes = new byte[Random.Next(maxLength + 1)];
        Random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A copy of <paramref name="valid"/> with 1 to 3 random edits: a character replaced, inserted or removed, or a cut.</summary>
    public string Mutate(string valid, string alphabet)
    {
        var chars = new StringBuilder(valid);
        int edits = 1 + Random.Next(3);
        for (int i = 0; i < edits; i++)
        {
            int at = chars.Length == 0 ? 0 : Random.Next(chars.Length);
            char c = alphabet[Random.Next(alphabet.Length)];
            switch (Random.Next(4))
            {
                case 0 when chars.Length > 0:
                    chars[at] = c;
                    break;
                case 1:
                    chars.Insert(at, c);
                    break;
                case 2 when chars.Length > 0:
                    chars.Remove(at, 1);
                    break;
                default:
                    chars.Length = at;
                    break;
            }
        }

        return chars.ToString();
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];
}
