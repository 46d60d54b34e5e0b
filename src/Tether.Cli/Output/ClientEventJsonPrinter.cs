using System.Buffers;
using System.Text;
using System.Text.Json;
using Tether.Client;

namespace Tether.Cli.Output;

/// <summary>
/// Prints the events of a Tether.Client <see cref="Connection"/> for scripts: one JSON object per line, with the UTC
/// time, the event and its details, e.g. <c>{"time":"…","event":"received","data":"hello"}</c>.
/// </summary>
internal static class ClientEventJsonPrinter
{
    /// <summary>Subscribes to every event of <paramref name="connection"/>; <paramref name="quiet"/> prints received messages only.</summary>
    public static void Attach(Connection connection, ConsoleSink sink, TimeProvider time, bool quiet)
    {
        connection.Received += data => Print(sink, time, "received", w => w.WriteString("data", data));
        if (quiet)
        {
            return;
        }

        connection.StateChanged += change => Print(sink, time, "state", w =>
        {
            w.WriteString("from", change.OldState.ToString());
            w.WriteString("to", change.NewState.ToString());
            w.WriteString("transport", connection.Transport?.Name);
        });
        connection.ConnectionSlow += () => Print(sink, time, "slow", null);
        connection.Reconnecting += () => Print(sink, time, "reconnecting", null);
        connection.Reconnected += () => Print(sink, time, "reconnected", w => w.WriteString("transport", connection.Transport?.Name));
        connection.Error += error => Print(sink, time, "error", w => w.WriteString("message", ErrorText.Describe(error)));
        connection.Closed += () => Print(sink, time, "closed", null);
    }

    private static void Print(ConsoleSink sink, TimeProvider time, string name, Action<Utf8JsonWriter>? details)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("time", time.GetUtcNow());
            writer.WriteString("event", name);
            details?.Invoke(writer);
            writer.WriteEndObject();
        }

        sink.Info(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
