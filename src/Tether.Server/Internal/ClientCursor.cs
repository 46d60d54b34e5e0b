using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>The cursor (<c>messageId</c>) a client sends back, screened before it reaches a bus or a response.</summary>
internal static class ClientCursor
{
    /// <summary>
    /// Returns the cursor when it can be one that a bus issued (plain ASCII, at most <see cref="CursorCodec.MaxLength"/>
    /// characters); otherwise <see langword="null"/>, which every bus reads as "now". The buses check the exact shape.
    /// </summary>
    /// <param name="messageId">The raw query or form value.</param>
    /// <returns>The cursor, or <see langword="null"/>.</returns>
    public static string? Normalize(string? messageId) =>
        string.IsNullOrEmpty(messageId) || messageId.Length > CursorCodec.MaxLength || !PersistentResponseWriter.IsPlain(messageId)
            ? null
            : messageId;
}
