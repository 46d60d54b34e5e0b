using System;

namespace Tether.Client.Internal;

/// <summary>Query-value escaping (netstandard2.0: through <see cref="Uri.EscapeDataString(string)"/>).</summary>
internal static class UrlEscaping
{
    /// <summary><paramref name="prefix"/> + <paramref name="name"/> + the value escaped as <see cref="Uri.EscapeDataString(string)"/> does + <paramref name="suffix"/>.</summary>
    public static string ConcatEscaped(string prefix, string name, string value, string suffix) =>
        prefix + name + Uri.EscapeDataString(value) + suffix;
}
