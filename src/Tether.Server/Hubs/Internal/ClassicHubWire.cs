using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// The classic hub wire: a call is <c>{"H":hub,"M":method,"A":[args],"I":id,"S":{state}}</c>, a result
/// <c>{"S","R","I","P","H","E","T","D"}</c> (absent keys left out, in that order) and a client call
/// <c>{"H","M","A","S"}</c>. The invocation model never sees these shapes.
/// </summary>
internal static class ClassicHubWire
{
    /// <summary>The largest state a client may send, in characters of JSON.</summary>
    public const int MaxStateLength = 4096;

    /// <summary>Only what JSON requires is escaped, as classic's Json.NET does (<c>'</c>, <c>&lt;</c> and non-ASCII stay as they are).</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal const string StateTooLong = "State has exceeded the maximum length of 4096 bytes.";

    /// <summary>Reads a call; on failure, <paramref name="error"/> says why and <paramref name="id"/> is the call's id if it could be read.</summary>
    public static HubInvocation? TryParse(string? data, out string? id, out string? error)
    {
        id = null;
        if (string.IsNullOrWhiteSpace(data))
        {
            error = "Protocol error: a hub call must be a JSON object with H, M, A and I.";
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            return Read(document.RootElement, out id, out error);
        }
        catch (JsonException)
        {
            error = "Protocol error: a hub call must be valid JSON.";
            return null;
        }
    }

    private static HubInvocation? Read(JsonElement root, out string? id, out string? error)
    {
        id = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "Protocol error: a hub call must be a JSON object with H, M, A and I.";
            return null;
        }

        string? hub = null, method = null;
        JsonElement? args = null, state = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name.ToUpperInvariant())
            {
                case "H":
                    hub = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    break;
                case "M":
                    method = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    break;
                case "I":
                    id = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => null,
                    };
                    break;
                case "A":
                    args = property.Value;
                    break;
                case "S":
                    state = property.Value;
                    break;
                default:
                    break;
            }
        }

        error = Validate(hub, method, id, args, state);
        if (error is not null)
        {
            return null;
        }

        var arguments = args is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Select(a => a.Clone()).ToArray() : [];
        return new HubInvocation(hub!, method!, arguments, id!, ReadState(state));
    }

    private static string? Validate(string? hub, string? method, string? id, JsonElement? args, JsonElement? state)
    {
        if (id is null)
        {
            return "Protocol error: a hub call needs an id (I).";
        }

        if (string.IsNullOrEmpty(hub) || string.IsNullOrEmpty(method))
        {
            return "Protocol error: a hub call needs a hub (H) and a method (M).";
        }

        if (args is { } a && a.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            return "Protocol error: the arguments of a hub call (A) must be an array.";
        }

        if (state is { } s && s.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            return "Protocol error: the state of a hub call (S) must be an object.";
        }

        return state is { ValueKind: JsonValueKind.Object } o && o.GetRawText().Length > MaxStateLength ? StateTooLong : null;
    }

    private static Dictionary<string, object?> ReadState(JsonElement? state)
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (state is { ValueKind: JsonValueKind.Object } o)
        {
            foreach (var property in o.EnumerateObject())
            {
                values[property.Name] = PlainValue(property.Value);
            }
        }

        return values;
    }

    /// <summary>A JSON value as a plain .NET value: string, long, double, bool, null; objects and arrays stay JSON.</summary>
    private static object? PlainValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out long integer) => integer,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.Clone(),
    };

    /// <summary>Writes a result.</summary>
    public static void WriteResult(IBufferWriter<byte> output, HubInvocationResult result, JsonSerializerOptions json)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        WriteState(writer, result.State, json);
        if (result.Result is not null)
        {
            writer.WritePropertyName("R");
            JsonSerializer.Serialize(writer, result.Result, result.Result.GetType(), json);
        }

        writer.WriteString("I", result.Id);
        if (result.IsHubException)
        {
            writer.WriteBoolean("H", true);
        }

        if (result.Error is not null)
        {
            writer.WriteString("E", result.Error);
        }

        if (result.StackTrace is not null)
        {
            writer.WriteString("T", result.StackTrace);
        }

        if (result.ErrorData is not null)
        {
            writer.WritePropertyName("D");
            JsonSerializer.Serialize(writer, result.ErrorData, result.ErrorData.GetType(), json);
        }

        writer.WriteEndObject();
    }

    /// <summary>A progress report of call <paramref name="id"/>: <c>{"I":"P|id","P":{"I":id,"D":value}}</c>.</summary>
    public static byte[] EncodeProgress(string id, object? value, IDictionary<string, object?>? state, JsonSerializerOptions json)
    {
        var output = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            WriteState(writer, state, json);
            writer.WriteString("I", "P|" + id);
            writer.WriteStartObject("P");
            writer.WriteString("I", id);
            writer.WritePropertyName("D");
            WriteValue(writer, value, json);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>A call of a client method: <c>{"H":hub,"M":method,"A":[args],"S":{state}}</c>.</summary>
    public static byte[] EncodeClientInvocation(ClientHubInvocation invocation, JsonSerializerOptions json)
    {
        var output = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("H", invocation.Hub);
            writer.WriteString("M", invocation.Method);
            writer.WriteStartArray("A");
            foreach (object? argument in invocation.Args)
            {
                WriteValue(writer, argument, json);
            }

            writer.WriteEndArray();
            WriteState(writer, invocation.State, json);
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteState(Utf8JsonWriter writer, IDictionary<string, object?>? state, JsonSerializerOptions json)
    {
        if (state is null)
        {
            return;
        }

        writer.WriteStartObject("S");
        foreach (var (key, value) in state)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value, json);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions json)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        JsonSerializer.Serialize(writer, value, value.GetType(), json);
    }
}
