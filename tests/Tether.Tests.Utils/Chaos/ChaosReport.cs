namespace Tether.Tests.Utils.Chaos;

/// <summary>What one connection of a chaos run ended with.</summary>
public sealed record ChaosConnectionResult(
    string ConnectionId,
    SequenceCheck ServerToClient,
    SequenceCheck ClientToServer,
    int ClientSendsFailed,
    int ClientReconnects,
    bool GaveUp,
    ChaosConnectionRecord Server,
    int DisconnectedBeforeStop,
    string ClientEvents);

/// <summary>The figures of one chaos run, and what in them breaks a promise of the protocol.</summary>
public sealed record ChaosReport(ChaosOptions Options, FaultCounts Faults, TimeSpan Duration, IReadOnlyList<ChaosConnectionResult> Connections)
{
    /// <summary>Server-to-client totals: every message the server sent must arrive once, in order.</summary>
    public SequenceCheck ServerToClient => Connections.Aggregate(default(SequenceCheck), (sum, c) => sum + c.ServerToClient);

    /// <summary>Client-to-server totals over the sends that completed (see <see cref="ChaosOptions.SendsAreConfirmed"/>).</summary>
    public SequenceCheck ClientToServer => Connections.Aggregate(default(SequenceCheck), (sum, c) => sum + c.ClientToServer);

    /// <summary>What breaks a promise: loss, duplication or reordering where promised, give-ups, and lifecycle counts.</summary>
    public IReadOnlyList<string> Problems()
    {
        List<string> problems = [];
        foreach (var c in Connections)
        {
            string who = $"connection {c.ConnectionId}";
            if (!c.ServerToClient.IsExact)
            {
                problems.Add($"{who}: server to client {c.ServerToClient}");
            }

            // A WebSocket send completes before the server has the frame: a cut can lose it, and a frame still in the
            // old socket can land after the next one on the new socket. A duplicate is never allowed.
            if (c.ClientToServer.Duplicated > 0 || (Options.SendsAreConfirmed && c.ClientToServer.Lost + c.ClientToServer.OutOfOrder > 0))
            {
                problems.Add($"{who}: client to server {c.ClientToServer}");
            }

            if (c.GaveUp)
            {
                problems.Add($"{who}: the client gave up reconnecting");
            }

            if (c.DisconnectedBeforeStop != 0)
            {
                problems.Add($"{who}: OnDisconnected ran {c.DisconnectedBeforeStop} times before the client stopped");
            }

            if (c.Server.Connected != 1 || c.Server.Disconnected != 1)
            {
                problems.Add($"{who}: OnConnected ran {c.Server.Connected} times and OnDisconnected {c.Server.Disconnected} times (1 and 1 expected)");
            }
        }

        return problems;
    }

    /// <summary>One line of figures, for the test output.</summary>
    public override string ToString()
    {
        var down = ServerToClient;
        var up = ClientToServer;
        string upLoss = Options.SendsAreConfirmed
            ? $"lost {up.Lost}, duplicated {up.Duplicated}, out of order {up.OutOfOrder}"
            : $"duplicated {up.Duplicated}; not promised over WebSockets: lost in flight {up.Lost}, out of order {up.OutOfOrder}";
        return $"chaos {Options.Client}/{Options.Transport} seed {Options.Seed}: {Faults} in {Duration.TotalSeconds:F1} s; " +
            $"server->client {down.Expected} sent, lost {down.Lost}, duplicated {down.Duplicated}, out of order {down.OutOfOrder}; " +
            $"client->server {up.Expected} acknowledged, {Connections.Sum(c => c.ClientSendsFailed)} failed sends, {upLoss}; " +
            $"reconnects {Connections.Sum(c => c.ClientReconnects)} (server saw {Connections.Sum(c => c.Server.Reconnected)}); " +
            $"OnConnected {Connections.Sum(c => c.Server.Connected)}, OnDisconnected {Connections.Sum(c => c.Server.Disconnected)} for {Connections.Count} connections; " +
            $"gave up {Connections.Count(c => c.GaveUp)}";
    }
}
