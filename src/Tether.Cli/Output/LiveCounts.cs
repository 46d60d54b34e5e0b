using System.Globalization;
using Tether.Client;

namespace Tether.Cli.Output;

/// <summary>
/// Counts what a long <c>tether connect</c> run does (messages sent and received, reconnects, errors) and prints the
/// counts to stderr at an interval, so stdout stays the events alone.
/// </summary>
internal sealed class LiveCounts
{
    private long _sent;
    private long _received;
    private long _reconnects;
    private long _errors;

    /// <summary>Counts the events of <paramref name="connection"/>.</summary>
    public LiveCounts(Connection connection)
    {
        connection.Received += _ => Interlocked.Increment(ref _received);
        connection.Reconnecting += () => Interlocked.Increment(ref _reconnects);
        connection.Error += _ => Interlocked.Increment(ref _errors);
    }

    /// <summary>Counts a message sent.</summary>
    public void Sent() => Interlocked.Increment(ref _sent);

    /// <summary>The counts as one line, e.g. <c>webSockets Connected: sent 3, received 5, reconnects 0, errors 0</c>.</summary>
    public string Describe(Connection connection) => string.Create(
        CultureInfo.InvariantCulture,
        $"{ClientEventPrinter.TransportName(connection)} {connection.State}: sent {Interlocked.Read(ref _sent)}, received {Interlocked.Read(ref _received)}, reconnects {Interlocked.Read(ref _reconnects)}, errors {Interlocked.Read(ref _errors)}");

    /// <summary>Prints the counts every <paramref name="interval"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task PrintEveryAsync(Connection connection, ConsoleSink sink, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                sink.Error("counts: " + Describe(connection));
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }
}
