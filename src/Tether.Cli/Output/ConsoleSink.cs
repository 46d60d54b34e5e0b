using System.Globalization;

namespace Tether.Cli.Output;

/// <summary>
/// The one place the CLI writes to the terminal. Lines from concurrent requests never interleave: each line is written
/// whole, under a lock, to a writer that flushes it at once.
/// </summary>
internal sealed class ConsoleSink
{
    private readonly Lock _lock = new();
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly TimeProvider _time;

    /// <summary>Creates a sink over two writers.</summary>
    /// <param name="output">Receives events and informational lines (stdout).</param>
    /// <param name="error">Receives errors (stderr).</param>
    /// <param name="time">Gives the timestamps of events.</param>
    public ConsoleSink(TextWriter output, TextWriter error, TimeProvider time)
    {
        _output = output;
        _error = error;
        _time = time;
    }

    /// <summary>A sink over the process's stdout and stderr, with local wall-clock timestamps.</summary>
    /// <returns>The sink.</returns>
    public static ConsoleSink ForConsole() => new(Console.Out, Console.Error, TimeProvider.System);

    /// <summary>Writes a line as it is, e.g. a startup banner line.</summary>
    /// <param name="text">The line, without a line break.</param>
    public void Info(string text) => Write(_output, text);

    /// <summary>Writes a line prefixed with the local time, e.g. <c>14:03:07.215 /echo connected ...</c>.</summary>
    /// <param name="text">The event, without a line break.</param>
    public void Event(string text)
    {
        // The time is taken under the lock, so that lines from several threads are in the order of their timestamps.
        lock (_lock)
        {
            string stamp = _time.GetLocalNow().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            Write(_output, stamp + " " + text);
        }
    }

    /// <summary>Writes a line to stderr, prefixed with <c>tether: </c>.</summary>
    /// <param name="text">The error, without a line break.</param>
    public void Error(string text) => Write(_error, "tether: " + text);

    private void Write(TextWriter writer, string line)
    {
        lock (_lock)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
