namespace Tether.Client.Diagnostics;

/// <summary>
/// The names under which Tether.Client reports what it does: one <see cref="System.Diagnostics.Metrics.Meter"/> and
/// one <see cref="System.Diagnostics.ActivitySource"/>, both named <c>Tether.Client</c>, shared by every connection of
/// the process. Subscribe to them with OpenTelemetry (<c>AddMeter</c>, <c>AddSource</c>) or a <c>MeterListener</c>.
/// </summary>
public static class TetherClientDiagnostics
{
    /// <summary>The name of the client's meter: state changes, reconnects, sends, receives and invocation latency.</summary>
    public const string MeterName = "Tether.Client";

    /// <summary>The name of the client's activity source: a span per start and per reconnect of a connection.</summary>
    public const string ActivitySourceName = "Tether.Client";
}
