using System.Text.Json;

namespace Tether.Browser.Tests.Hubs;

/// <summary>What the official client in the page saw on one hub connection (see wwwroot/hub-harness.js).</summary>
public sealed record HubSnapshot
{
    public int Handle { get; init; }

    public string? ConnectionId { get; init; }

    public string? Transport { get; init; }

    /// <summary>The client's state name: connecting, connected, reconnecting or disconnected.</summary>
    public string? State { get; init; }

    /// <summary>Events in order: <c>state:A->B</c>, <c>reconnecting</c>, <c>reconnected</c>, <c>error</c>, <c>disconnected</c>.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];

    /// <summary>The calls from the server to the page's <c>client</c> functions, in order.</summary>
    public IReadOnlyList<HubClientCall> Calls { get; init; } = [];

    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>The proxy's <c>state</c> object.</summary>
    public JsonElement HubState { get; init; }

    /// <summary>Set when <c>start()</c> failed.</summary>
    public string? StartError { get; init; }

    public override string ToString() =>
        $"#{Handle} {ConnectionId} {Transport} {State} events=[{string.Join(", ", Events)}] calls=[{string.Join(", ", Calls)}] errors=[{string.Join(" | ", Errors)}]{(StartError is null ? string.Empty : " startError=" + StartError)}";
}

/// <summary>One call from the server to a client function, e.g. <c>addMessage("ann", "hi")</c>.</summary>
public sealed record HubClientCall
{
    public string Method { get; init; } = string.Empty;

    public IReadOnlyList<JsonElement> Args { get; init; } = [];

    /// <summary>The arguments as text: strings as they are, other values as JSON.</summary>
    public IReadOnlyList<string> ArgsText => Args.Select(ConnectionSnapshot.ToText).ToArray();

    public override string ToString() => $"{Method}({string.Join(", ", ArgsText)})";
}

/// <summary>How one hub call settled, as the page's deferred reported it.</summary>
public sealed record HubCallOutcome
{
    /// <summary>What <c>done</c> got (<see cref="JsonValueKind.Null"/> for none).</summary>
    public JsonElement Result { get; init; }

    /// <summary>What <c>progress</c> got, in order.</summary>
    public IReadOnlyList<JsonElement> Progress { get; init; } = [];

    /// <summary>What <c>fail</c> got, or <see langword="null"/>.</summary>
    public HubCallError? Error { get; init; }

    /// <summary>The proxy's <c>state</c> object after the call.</summary>
    public JsonElement State { get; init; }

    public override string ToString() => Error is null ? $"result {Result.GetRawText()} progress [{string.Join(", ", Progress)}]" : $"error {Error}";
}

/// <summary>The error a failed hub call rejects with: its message, <c>source</c> and <c>data</c>.</summary>
public sealed record HubCallError
{
    public string? Message { get; init; }

    /// <summary><c>HubException</c> when the hub threw one, <c>Exception</c> otherwise.</summary>
    public string? Source { get; init; }

    public JsonElement Data { get; init; }

    public override string ToString() => $"{Source}: {Message} data={(Data.ValueKind == JsonValueKind.Undefined ? "none" : Data.GetRawText())}";
}
