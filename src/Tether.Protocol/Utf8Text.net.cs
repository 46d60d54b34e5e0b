using System;
using System.Text;

namespace Tether.Protocol;

/// <summary>UTF-8 decoding of spans (modern .NET: straight from the span).</summary>
internal static class Utf8Text
{
    /// <summary>Decodes UTF-8 bytes to a string.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text.</returns>
    public static string GetString(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
