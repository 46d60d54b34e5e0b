using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Tether.Client.Internal.Hubs;

/// <summary>What one value from a hub server is: progress, a result, or a client-method invocation.</summary>
internal enum HubMessageKind
{
    Progress,
    Result,
    ClientInvocation,
}

/// <summary>
/// One value from a hub server, read as the classic client reads it: <c>P</c> present means progress of invocation
/// <c>P.I</c>; else <c>I</c> present means the result of invocation <c>I</c>; else a client-method invocation
/// (<c>H</c>, <c>M</c>, <c>A</c>, <c>S</c>). Elements are detached from the parsed document.
/// </summary>
internal sealed class HubServerMessage
{
    private static readonly JsonElement[] NoArguments = [];

    private HubServerMessage(HubMessageKind kind, JsonElement root)
    {
        Kind = kind;
        Root = root;
    }

    public HubMessageKind Kind { get; }

    /// <summary>The whole value.</summary>
    public JsonElement Root { get; }

    /// <summary>The invocation id of a result or of progress.</summary>
    public string? InvocationId { get; private set; }

    /// <summary>The progress value (<c>P.D</c>).</summary>
    public JsonElement ProgressData { get; private set; }

    /// <summary>The result (<c>R</c>); <see langword="null"/> when absent (void or null).</summary>
    public JsonElement? Result => Optional("R");

    /// <summary>The error (<c>E</c>) of a failed invocation.</summary>
    public string? Error => Optional("E") is { ValueKind: JsonValueKind.String } error ? error.GetString() : null;

    /// <summary>Whether the error is a <c>HubException</c> (<c>H</c>: true).</summary>
    public bool IsHubException => Optional("H") is { ValueKind: JsonValueKind.True };

    /// <summary>The <c>HubException</c>'s data (<c>D</c>).</summary>
    public JsonElement? ErrorData => Optional("D");

    /// <summary>The caller state the server changed (<c>S</c>), an object.</summary>
    public JsonElement? State => Optional("S") is { ValueKind: JsonValueKind.Object } state ? state : null;

    /// <summary>The hub of a client-method invocation (<c>H</c>).</summary>
    public string Hub => Optional("H") is { ValueKind: JsonValueKind.String } hub ? hub.GetString()! : string.Empty;

    /// <summary>The client method of an invocation (<c>M</c>).</summary>
    public string Method => Optional("M") is { ValueKind: JsonValueKind.String } method ? method.GetString()! : string.Empty;

    /// <summary>The arguments of a client-method invocation (<c>A</c>).</summary>
    public IList<JsonElement> Arguments
    {
        get
        {
            if (Optional("A") is not { ValueKind: JsonValueKind.Array } args)
            {
                return NoArguments;
            }

            var list = new JsonElement[args.GetArrayLength()];
            int i = 0;
            foreach (JsonElement arg in args.EnumerateArray())
            {
                list[i++] = arg;
            }

            return list;
        }
    }

    /// <summary>Reads a value; <see langword="null"/> when it is not a JSON object (it is then a plain message).</summary>
    public static HubServerMessage? TryParse(ReadOnlyMemory<byte> raw)
    {
        JsonElement root;
        try
        {
            using JsonDocument document = JsonDocument.Parse(raw);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("P", out JsonElement progress) && progress.ValueKind != JsonValueKind.Null)
        {
            return new HubServerMessage(HubMessageKind.Progress, root)
            {
                InvocationId = progress.ValueKind == JsonValueKind.Object && progress.TryGetProperty("I", out JsonElement id) ? IdText(id) : null,
                ProgressData = progress.ValueKind == JsonValueKind.Object && progress.TryGetProperty("D", out JsonElement data) ? data : default,
            };
        }

        if (root.TryGetProperty("I", out JsonElement resultId) && resultId.ValueKind != JsonValueKind.Null)
        {
            return new HubServerMessage(HubMessageKind.Result, root) { InvocationId = IdText(resultId) };
        }

        return new HubServerMessage(HubMessageKind.ClientInvocation, root);
    }

    /// <summary>The id as text: a string as it is, any other value (a number from a lenient server) as its JSON.</summary>
    private static string IdText(JsonElement id) => id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();

    private JsonElement? Optional(string name) =>
        Root.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;
}
