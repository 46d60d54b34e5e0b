using System;
using System.Text;

namespace Tether.Protocol;

/// <summary>UTF-8 decoding of spans (netstandard2.0: its Encoding has no span overload, so the bytes are copied once).</summary>
internal static class Utf8Text
{
    /// <summary>Decodes UTF-8 bytes to a string.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text.</returns>
    public static string GetString(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes.ToArray());
}
