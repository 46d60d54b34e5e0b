using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Tether.Client.Diagnostics;

/// <summary>
/// One connection's metrics and spans, driven by its state changes: a <c>Tether.Client.Start</c> span from connecting
/// to connected (or back to disconnected), and a <c>Tether.Client.Reconnect</c> span from reconnecting to connected
/// (or disconnected), each recorded when it ends, with the connection id and the transport.
/// </summary>
internal sealed class ClientTelemetry
{
    private static readonly ActivitySource s_source = new(TetherClientDiagnostics.ActivitySourceName);

    private DateTimeOffset _since;
    private long _sinceTimestamp;

    /// <summary>Records a state change of <paramref name="connection"/>; called under the connection's lock.</summary>
    public void StateChanged(Connection connection, ConnectionState from, ConnectionState to)
    {
        ClientMetrics.StateChanged(from, to);
        if (from is ConnectionState.Connecting or ConnectionState.Reconnecting)
        {
            Ended(connection, from == ConnectionState.Connecting ? "Tether.Client.Start" : "Tether.Client.Reconnect", succeeded: to == ConnectionState.Connected, reconnect: from == ConnectionState.Reconnecting);
        }

        if (to is ConnectionState.Connecting or ConnectionState.Reconnecting)
        {
            _since = DateTimeOffset.UtcNow;
            _sinceTimestamp = Stopwatch.GetTimestamp();
        }
    }

    private void Ended(Connection connection, string name, bool succeeded, bool reconnect)
    {
        TimeSpan duration = ClientMetrics.Elapsed(_sinceTimestamp);
        if (reconnect)
        {
            ClientMetrics.ReconnectEnded(duration, succeeded);
        }

        if (!s_source.HasListeners())
        {
            return;
        }

        var tags = new List<KeyValuePair<string, object?>>
        {
            new("tether.connection_id", connection.ConnectionId),
            new("tether.transport", connection.Transport?.Name),
            new("server.address", connection.Url),
        };
        using Activity? activity = s_source.StartActivity(name, ActivityKind.Client, default(ActivityContext), tags, startTime: _since);
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        activity.SetEndTime(_since.UtcDateTime + duration);
    }
}
