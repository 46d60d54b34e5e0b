using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tether.Client.Diagnostics;

/// <summary>The instruments of the <c>Tether.Client</c> meter, one set for the process; each call site is one line.</summary>
internal static class ClientMetrics
{
    public const string FromTag = "tether.from";
    public const string ToTag = "tether.to";
    public const string OutcomeTag = "tether.outcome";

    private static readonly Meter s_meter = new(TetherClientDiagnostics.MeterName);
    private static readonly Counter<long> s_stateChanges = s_meter.CreateCounter<long>("tether.client.state_changes", "{change}", "Connection state changes, by old and new state.");
    private static readonly Counter<long> s_reconnects = s_meter.CreateCounter<long>("tether.client.reconnects", "{reconnect}", "Connections that started reconnecting after a loss.");
    private static readonly Histogram<double> s_reconnectDuration = s_meter.CreateHistogram<double>("tether.client.reconnect.duration", "s", "How long a reconnect took, by outcome (reconnected, closed).");
    private static readonly Counter<long> s_sent = s_meter.CreateCounter<long>("tether.client.messages.sent", "{message}", "Messages sent to the server.");
    private static readonly Counter<long> s_received = s_meter.CreateCounter<long>("tether.client.messages.received", "{message}", "Messages received from the server and raised to the application.");
    private static readonly Histogram<double> s_invocationDuration = s_meter.CreateHistogram<double>("tether.client.invocation.duration", "s", "Time from a hub method invocation to its result, by hub, method and outcome.");

    /// <summary>Counts a state change, and a reconnect when it is one.</summary>
    public static void StateChanged(ConnectionState from, ConnectionState to)
    {
        s_stateChanges.Add(1, new KeyValuePair<string, object?>(FromTag, Name(from)), new KeyValuePair<string, object?>(ToTag, Name(to)));
        if (to == ConnectionState.Reconnecting)
        {
            s_reconnects.Add(1);
        }
    }

    /// <summary>Records how long a reconnect took and how it ended.</summary>
    public static void ReconnectEnded(TimeSpan duration, bool reconnected) =>
        s_reconnectDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>(OutcomeTag, reconnected ? "reconnected" : "closed"));

    /// <summary>Counts a message sent.</summary>
    public static void Sent() => s_sent.Add(1);

    /// <summary>Counts a message received.</summary>
    public static void Received() => s_received.Add(1);

    /// <summary>
    /// Records one hub method invocation, for the hub client: <paramref name="startTimestamp"/> is a
    /// <see cref="Stopwatch.GetTimestamp"/> taken when the invocation was sent.
    /// </summary>
    public static void InvocationCompleted(string hub, string method, long startTimestamp, bool succeeded) =>
        s_invocationDuration.Record(
            Elapsed(startTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("tether.hub", hub),
            new KeyValuePair<string, object?>("tether.method", method),
            new KeyValuePair<string, object?>(OutcomeTag, succeeded ? "ok" : "failed"));

    /// <summary>The time since a <see cref="Stopwatch.GetTimestamp"/>, on every target.</summary>
    public static TimeSpan Elapsed(long startTimestamp) =>
        TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - startTimestamp) / (double)Stopwatch.Frequency);

    private static string Name(ConnectionState state) => state switch
    {
        ConnectionState.Connecting => "connecting",
        ConnectionState.Connected => "connected",
        ConnectionState.Reconnecting => "reconnecting",
        _ => "disconnected",
    };
}
