using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tether.Client.Internal.Hubs;

/// <summary>Writes what the client sends: invocations (<c>{"I":"0","H":"chat","M":"Send","A":[…],"S":{…}}</c>, in the classic .NET client's order) and the hub list of <c>connectionData</c>.</summary>
internal static class HubInvocationWriter
{
    public static string Invocation(
        string id,
        string hub,
        string method,
        Action<Utf8JsonWriter> writeArguments,
        IReadOnlyList<KeyValuePair<string, JsonNode?>> state,
        JsonSerializerOptions options)
    {
        return Write(options, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("I", id);
            writer.WriteString("H", hub);
            writer.WriteString("M", method);
            writer.WriteStartArray("A");
            writeArguments(writer);
            writer.WriteEndArray();
            if (state.Count > 0)
            {
                writer.WriteStartObject("S");
                foreach (KeyValuePair<string, JsonNode?> pair in state)
                {
                    writer.WritePropertyName(pair.Key);
                    WriteNode(writer, pair.Value, options);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        });
    }

    /// <summary>The <c>connectionData</c> of a hub connection: <c>[{"Name":"chat"}]</c>, as the classic .NET client sends it.</summary>
    public static string HubList(IEnumerable<string> hubs, JsonSerializerOptions options) => Write(options, writer =>
    {
        writer.WriteStartArray();
        foreach (string hub in hubs)
        {
            writer.WriteStartObject();
            writer.WriteString("Name", hub);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public static void WriteNode(Utf8JsonWriter writer, JsonNode? node, JsonSerializerOptions options)
    {
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer, options);
        }
    }

    private static string Write(JsonSerializerOptions options, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = options.Encoder ?? JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
