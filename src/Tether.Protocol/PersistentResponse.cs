using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace Tether.Protocol;

/// <summary>
/// One server-to-client payload as a client reads it: a persistent response (<c>{"C":…,"M":[…]}</c>), a keep-alive
/// (<c>{}</c>) or a hub result (a top-level <c>I</c>). Each message in <see cref="Messages"/> stays raw JSON text.
/// </summary>
/// <remarks>
/// The checks follow the classic .NET client: <c>S</c> and <c>T</c> count when their value converts to the integer 1
/// (<c>1</c>, <c>"1"</c> or <c>true</c>); <see cref="Cursor"/> and <see cref="Initialized"/> matter only when <c>M</c>
/// is an array; a payload with a top-level <c>I</c> is a hub result and nothing else in it is read.
/// </remarks>
public sealed class PersistentResponse
{
    private static readonly PersistentResponse s_keepAlive = new() { IsKeepAlive = true };

    private IReadOnlyList<string>? _messages;

    private PersistentResponse()
    {
    }

    /// <summary>Whether the payload is a keep-alive: an empty object or nothing but whitespace.</summary>
    public bool IsKeepAlive { get; private set; }

    /// <summary>Whether the payload carries a top-level <c>I</c>: a hub result, to be handed over whole.</summary>
    public bool IsHubResult { get; private set; }

    /// <summary><c>C</c>: the cursor to send back as <c>messageId</c>; <see langword="null"/> when absent.</summary>
    public string? Cursor { get; private set; }

    /// <summary><c>S</c>: whether this is the init message that answers <c>/connect</c>.</summary>
    public bool Initialized { get; private set; }

    /// <summary><c>T</c>: whether the server asks the client to reconnect (it is shutting down).</summary>
    public bool ShouldReconnect { get; private set; }

    /// <summary>Whether the payload has a <c>G</c> field; <see cref="GroupsToken"/> is then its value.</summary>
    public bool HasGroupsToken { get; private set; }

    /// <summary><c>G</c>: the new groups token (<see langword="null"/> for a JSON null or when absent).</summary>
    public string? GroupsToken { get; private set; }

    /// <summary><c>L</c>: the long-polling delay in milliseconds; <see langword="null"/> when absent.</summary>
    public int? LongPollDelay { get; private set; }

    /// <summary><c>E</c>: a global error from the server; <see langword="null"/> when absent.</summary>
    public string? Error { get; private set; }

    /// <summary><c>M</c>: the raw JSON text of each message, in order; <see langword="null"/> when <c>M</c> is absent or not an array.</summary>
    /// <remarks>Decoded from <see cref="Utf8Messages"/> when first read.</remarks>
    public IReadOnlyList<string>? Messages => _messages ??= Decode(Utf8Messages);

    /// <summary><c>M</c>: the raw JSON of each message as UTF-8 (slices of one copy of the payload), in order; <see langword="null"/> when <c>M</c> is absent or not an array.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Utf8Messages { get; private set; }

    /// <summary>Reads one payload.</summary>
    /// <param name="utf8Json">The payload's UTF-8 bytes: a WebSocket text frame, the data of an SSE event, or a long-polling body (leading whitespace allowed).</param>
    /// <returns>What the payload says.</returns>
    /// <exception cref="FormatException">The payload is neither whitespace nor a JSON object.</exception>
    public static PersistentResponse Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (IsWhitespace(utf8Json))
        {
            return s_keepAlive;
        }

        try
        {
            return ParseObject(utf8Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The payload is not valid JSON.", ex);
        }
    }

    /// <summary>Reads one payload given as text.</summary>
    /// <param name="json">The payload.</param>
    /// <returns>What the payload says.</returns>
    /// <exception cref="FormatException">The payload is neither whitespace nor a JSON object.</exception>
    public static PersistentResponse Parse(string json)
    {
        if (json is null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        return Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    private static PersistentResponse ParseObject(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("The payload is not a JSON object.");
        }

        var response = new PersistentResponse();
        int properties = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            properties++;
            char key = Key(ref reader);
            reader.Read();
            switch (key)
            {
                case 'C':
                    response.Cursor = ReadScalar(ref reader);
                    break;
                case 'S':
                    response.Initialized = IsOne(ref reader);
                    break;
                case 'T':
                    response.ShouldReconnect = IsOne(ref reader);
                    break;
                case 'G':
                    response.HasGroupsToken = true;
                    response.GroupsToken = ReadScalar(ref reader);
                    break;
                case 'L':
                    response.LongPollDelay = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int delay) ? delay : null;
                    reader.Skip();
                    break;
                case 'E':
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        response.Error = ReadScalar(ref reader) ?? string.Empty;
                    }

                    reader.Skip();
                    break;
                case 'I':
                    response.IsHubResult = true;
                    reader.Skip();
                    break;
                case 'M':
                    response.Utf8Messages = reader.TokenType == JsonTokenType.StartArray ? ReadMessages(ref reader, utf8Json) : null;
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new FormatException("The payload is not a complete JSON object.");
        }

        if (properties == 0)
        {
            return s_keepAlive;
        }

        return response;
    }

    /// <summary>The one-letter name of a property (every field of a response has one), read without a string; <c>\0</c> for any other name.</summary>
    private static char Key(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return reader.ValueSpan.Length == 1 ? (char)reader.ValueSpan[0] : '\0';
        }

        string name = reader.GetString() ?? string.Empty;
        return name.Length == 1 ? name[0] : '\0';
    }

    /// <summary>Copies the array's bytes once and slices each message out of the copy (a first pass on a copy of the reader counts them).</summary>
    private static ReadOnlyMemory<byte>[] ReadMessages(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8Json)
    {
        int arrayStart = checked((int)reader.TokenStartIndex);
        Utf8JsonReader counter = reader;
        int count = 0;
        while (counter.Read() && counter.TokenType != JsonTokenType.EndArray)
        {
            counter.Skip();
            count++;
        }

        byte[] copy = utf8Json.Slice(arrayStart, checked((int)counter.BytesConsumed) - arrayStart).ToArray();
        var messages = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count && reader.Read(); i++)
        {
            int start = checked((int)reader.TokenStartIndex);
            reader.Skip();
            messages[i] = new ReadOnlyMemory<byte>(copy, start - arrayStart, checked((int)reader.BytesConsumed) - start);
        }

        reader.Read();
        return messages;
    }

    private static string[]? Decode(IReadOnlyList<ReadOnlyMemory<byte>>? utf8Messages)
    {
        if (utf8Messages is null)
        {
            return null;
        }

        var messages = new string[utf8Messages.Count];
        for (int i = 0; i < messages.Length; i++)
        {
            messages[i] = Utf8Text.GetString(utf8Messages[i].Span);
        }

        return messages;
    }

    private static string? ReadScalar(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return Utf8Text.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "True";
            case JsonTokenType.False:
                return "False";
            default:
                reader.Skip();
                return null;
        }
    }

    private static bool IsOne(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDouble(out double number) && number == 1;
            case JsonTokenType.String:
                return int.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) && parsed == 1;
            case JsonTokenType.True:
                return true;
            default:
                reader.Skip();
                return false;
        }
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n')
            {
                return false;
            }
        }

        return true;
    }
}
