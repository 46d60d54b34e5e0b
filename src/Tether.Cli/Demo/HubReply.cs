using System.Text.Json.Nodes;

namespace Tether.Cli.Demo;

/// <summary>The server's answer to one hub invocation: a result, or an error.</summary>
/// <param name="HasResult">Whether the reply carries a result (<c>R</c>); a method without one sends none.</param>
/// <param name="Result">The returned value (<see langword="null"/> for JSON <c>null</c> or none).</param>
/// <param name="Error">The error message, or <see langword="null"/> when the call succeeded.</param>
/// <param name="IsHubException">Whether the method threw a <c>HubException</c> (the error is then the hub's own message).</param>
/// <param name="ErrorData">The <c>HubException</c>'s error data, or <see langword="null"/>.</param>
internal sealed record HubReply(bool HasResult, JsonNode? Result, string? Error, bool IsHubException, JsonNode? ErrorData)
{
    /// <summary>Reads a reply (<c>{"I":"0","R":…}</c> or <c>{"I":"0","E":"…","H":true,"D":…}</c>).</summary>
    /// <param name="reply">The reply object.</param>
    /// <returns>The reply, its values detached from <paramref name="reply"/>.</returns>
    public static HubReply From(JsonObject reply) => new(
        reply.ContainsKey("R"),
        reply["R"]?.DeepClone(),
        reply["E"]?.ToString(),
        reply["H"] is JsonValue hub && hub.TryGetValue(out bool isHub) && isHub,
        reply["D"]?.DeepClone());
}
