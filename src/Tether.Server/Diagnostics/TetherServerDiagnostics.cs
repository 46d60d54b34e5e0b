namespace Tether.Server.Diagnostics;

/// <summary>
/// The names under which Tether.Server reports what it does: one <see cref="System.Diagnostics.Metrics.Meter"/> and one
/// <see cref="System.Diagnostics.ActivitySource"/>, both named <c>Tether.Server</c>. Subscribe to them with
/// OpenTelemetry (<c>AddMeter</c>, <c>AddSource</c>), <c>dotnet-counters</c> or a <c>MeterListener</c>.
/// </summary>
public static class TetherServerDiagnostics
{
    /// <summary>The name of the server's meter: connections, messages, buffers, requests, backplane and errors.</summary>
    public const string MeterName = "Tether.Server";

    /// <summary>The name of the server's activity source: negotiate, connect and reconnect spans, and hub invocations.</summary>
    public const string ActivitySourceName = "Tether.Server";
}
