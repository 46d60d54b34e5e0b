using System.Text.Json;

namespace Tether.Cli.Demo;

/// <summary>The server's answer to one hub invocation: a result, or an error.</summary>
/// <param name="Result">The returned value (<see cref="JsonValueKind.Undefined"/> for a method without one).</param>
/// <param name="Error">The error message, or <see langword="null"/> when the call succeeded.</param>
/// <param name="IsHubException">Whether the method threw a <c>HubException</c> (the error is then the hub's own message).</param>
/// <param name="ErrorData">The <c>HubException</c>'s error data, or <see cref="JsonValueKind.Undefined"/>.</param>
internal sealed record HubReply(JsonElement Result, string? Error, bool IsHubException, JsonElement ErrorData)
{
    /// <summary>Reads a reply (<c>{"I":"0","R":…}</c> or <c>{"I":"0","E":"…","H":true,"D":…}</c>).</summary>
    /// <param name="reply">The reply object.</param>
    /// <returns>The reply, its values copied out of <paramref name="reply"/>'s document.</returns>
    public static HubReply From(JsonElement reply) => new(
        Property(reply, "R"),
        reply.TryGetProperty("E", out var error) ? error.ToString() : null,
        reply.TryGetProperty("H", out var hub) && hub.ValueKind == JsonValueKind.True,
        Property(reply, "D"));

    private static JsonElement Property(JsonElement reply, string name) =>
        reply.TryGetProperty(name, out var value) ? value.Clone() : default;
}
