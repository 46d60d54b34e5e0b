using System.Text.Json;

namespace Tether.Browser.Tests;

/// <summary>What the official client in the page saw on one connection (see wwwroot/harness.js).</summary>
public sealed record ConnectionSnapshot
{
    public int Handle { get; init; }

    public string? ConnectionId { get; init; }

    public string? Transport { get; init; }

    /// <summary>The client's state name: connecting, connected, reconnecting or disconnected.</summary>
    public string? State { get; init; }

    /// <summary>Events in order: <c>starting</c>, <c>state:A->B</c>, <c>reconnecting</c>, <c>reconnected</c>, <c>connectionSlow</c>, <c>error</c>, <c>disconnected</c>.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];

    /// <summary>Every received value, as the client parsed it.</summary>
    public IReadOnlyList<JsonElement> Received { get; init; } = [];

    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Set when <c>start()</c> failed.</summary>
    public string? StartError { get; init; }

    /// <summary>The received values as text: strings as they are, other values as JSON.</summary>
    public IReadOnlyList<string> ReceivedText => Received.Select(ToText).ToArray();

    public static string ToText(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    public override string ToString() =>
        $"#{Handle} {ConnectionId} {Transport} {State} events=[{string.Join(", ", Events)}] received=[{string.Join(", ", ReceivedText)}] errors=[{string.Join(" | ", Errors)}]{(StartError is null ? string.Empty : " startError=" + StartError)}";
}
