using System.Threading.Channels;

namespace Tether.Cli.Terminal;

/// <summary>
/// Reads lines from a <see cref="TextReader"/> (standard input) on a background thread, so that a command can wait for
/// the next line and for cancellation (Ctrl+C) at once: a console read cannot be cancelled, but a channel read can.
/// </summary>
internal static class InputLines
{
    /// <summary>Starts reading.</summary>
    /// <param name="reader">The input, read to its end (or until the process exits).</param>
    /// <returns>
    /// The lines, without their line breaks; completed at the end of input, or with the read's exception. Reading stays
    /// at most one line ahead of the consumer.
    /// </returns>
    public static ChannelReader<string> Start(TextReader reader)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });

        // A background thread: one blocked in a console read must not keep the process alive once the command returns.
        var thread = new Thread(() => Pump(reader, channel.Writer)) { IsBackground = true, Name = "tether stdin" };
        thread.Start();
        return channel.Reader;
    }

    private static void Pump(TextReader reader, ChannelWriter<string> writer)
    {
        try
        {
            while (reader.ReadLine() is { } line)
            {
                // Blocks this thread (only) while the consumer is busy, e.g. sending while reconnecting.
                writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
            }

            writer.TryComplete();
        }
#pragma warning disable CA1031 // Whatever ends the read (a closed descriptor, an I/O error) is handed to the consumer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            writer.TryComplete(ex);
        }
    }
}
