using Tether.Client;

namespace Tether.Cli.Output;

/// <summary>
/// Prints the events of a Tether.Client <see cref="Connection"/>, one timestamped line each:
/// <c>state Connecting -> Connected (webSockets)</c>, <c>received: TEXT</c>, <c>connection slow</c>,
/// <c>reconnecting</c>, <c>reconnected (webSockets)</c>, <c>error: MESSAGE</c>, <c>closed</c>.
/// </summary>
/// <remarks>The connection raises its events one at a time, in order, so the lines come in the order of the events.</remarks>
internal static class ClientEventPrinter
{
    /// <summary>Subscribes to every event of <paramref name="connection"/>.</summary>
    /// <param name="connection">The connection, before it starts.</param>
    /// <param name="sink">Where the lines go.</param>
    /// <param name="prefix">Put before each event (after the timestamp), e.g. <c>client </c>; empty for none.</param>
    /// <param name="maxMessageLength">The most characters of a received message to show.</param>
    /// <param name="printReceived">Whether to print <c>received:</c> lines (hub mode prints the calls itself).</param>
    public static void Attach(Connection connection, ConsoleSink sink, string prefix, int maxMessageLength, bool printReceived = true)
    {
        connection.StateChanged += change => sink.Event(change.NewState == ConnectionState.Connected
            ? $"{prefix}state {change.OldState} -> {change.NewState} ({TransportName(connection)})"
            : $"{prefix}state {change.OldState} -> {change.NewState}");
        if (printReceived)
        {
            connection.Received += data => sink.Event($"{prefix}received: {DisplayText.OneLine(data, maxMessageLength)}");
        }

        connection.ConnectionSlow += () => sink.Event($"{prefix}connection slow: no message or keep-alive for two thirds of the keep-alive timeout");
        connection.Reconnecting += () => sink.Event($"{prefix}reconnecting");
        connection.Reconnected += () => sink.Event($"{prefix}reconnected ({TransportName(connection)})");
        connection.Error += error => sink.Event($"{prefix}error: {ErrorText.Describe(error)}");
        connection.Closed += () => sink.Event($"{prefix}closed");
    }

    /// <summary>The transport in use (for the automatic transport, the one it picked).</summary>
    /// <param name="connection">The connection.</param>
    /// <returns>The transport's protocol name, or <c>no transport</c>.</returns>
    public static string TransportName(Connection connection) => connection.Transport?.Name ?? "no transport";
}
