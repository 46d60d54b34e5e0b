using System.Text.Json;
using System.Text.Json.Nodes;
using Tether.Client;

namespace Tether.Cli.Demo;

/// <summary>How one hub invocation ended: a result, or an error.</summary>
/// <param name="Result">The returned value (<see langword="null"/> for JSON <c>null</c> or none).</param>
/// <param name="Error">The error message, or <see langword="null"/> when the call succeeded.</param>
/// <param name="IsHubException">Whether the method threw a <c>HubException</c> (the error is then the hub's own message).</param>
/// <param name="ErrorData">The <c>HubException</c>'s error data, or <see langword="null"/>.</param>
internal sealed record HubReply(JsonNode? Result, string? Error, bool IsHubException, JsonNode? ErrorData)
{
    /// <summary>Invokes a hub method through <paramref name="proxy"/> and captures how it ended, a failure included.</summary>
    /// <param name="proxy">The hub's proxy.</param>
    /// <param name="method">The hub method, e.g. <c>Echo</c>.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The result, or the error the server (or a lost connection) gave.</returns>
    public static async Task<HubReply> InvokeAsync(IHubProxy proxy, string method, JsonArray args, CancellationToken cancellationToken)
    {
        try
        {
            JsonElement? result = await proxy.InvokeJsonAsync(method, [.. args.Select(a => a?.DeepClone())], cancellationToken: cancellationToken).ConfigureAwait(false);
            return new HubReply(Node(result), null, false, null);
        }
        catch (HubException ex)
        {
            return new HubReply(null, ex.Message, true, Node(ex.ErrorData as JsonElement?));
        }
        catch (InvalidOperationException ex)
        {
            return new HubReply(null, ex.Message, false, null);
        }
    }

    private static JsonNode? Node(JsonElement? value) => value is { } element ? JsonNode.Parse(element.GetRawText()) : null;
}
