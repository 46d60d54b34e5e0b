using System;
using System.Threading.Tasks;

namespace Tether.Client.Internal;

/// <summary>What the dispatch loop runs next.</summary>
internal enum DispatchKind
{
    Message,
    StateChanged,
    Error,
    Reconnecting,
    Reconnected,
    ConnectionSlow,
    Closed,
    Marker,
}

/// <summary>One event or message for the connection's dispatch loop.</summary>
internal sealed class DispatchItem
{
    private ReadOnlyMemory<byte> _rawUtf8;
    private string? _raw;

    private DispatchItem(DispatchKind kind)
    {
        Kind = kind;
    }

    public DispatchKind Kind { get; }

    /// <summary>The <c>Received</c> text of a message (see <see cref="ClassicJsonText"/>).</summary>
    public string? Text { get; private set; }

    /// <summary>The raw JSON of a message, for typed consumers; decoded from its UTF-8 bytes when first read.</summary>
    public string? Raw => _raw ??= _rawUtf8.IsEmpty ? null : ClassicJsonText.Utf8(_rawUtf8);

    public StateChange? Change { get; private set; }

    /// <summary>The error of an Error event, or why a Closed event happened (<see langword="null"/> for a plain stop).</summary>
    public Exception? Exception { get; private set; }

    public TaskCompletionSource<bool>? Marker { get; private set; }

    /// <summary>What a hub connection parsed from the message on arrival (a client-method invocation), for its dispatch.</summary>
    public object? Parsed { get; set; }

    public static DispatchItem State(StateChange change) => new(DispatchKind.StateChanged) { Change = change };

    public static DispatchItem Error(Exception error) => new(DispatchKind.Error) { Exception = error };

    public static DispatchItem Closed(Exception? reason) => new(DispatchKind.Closed) { Exception = reason };

    public static DispatchItem Event(DispatchKind kind) => new(kind);

    public static DispatchItem ForMarker(TaskCompletionSource<bool> marker) => new(DispatchKind.Marker) { Marker = marker };

    /// <summary>Builds the message item for one raw JSON value given as UTF-8 (its text form is made only if asked for).</summary>
    public static DispatchItem FromUtf8(ReadOnlyMemory<byte> raw)
    {
        string text;
        try
        {
            text = ClassicJsonText.ToReceivedText(raw);
        }
        catch (System.Text.Json.JsonException)
        {
            text = ClassicJsonText.Utf8(raw);
        }

        return new DispatchItem(DispatchKind.Message) { Text = text, _rawUtf8 = raw };
    }
}
