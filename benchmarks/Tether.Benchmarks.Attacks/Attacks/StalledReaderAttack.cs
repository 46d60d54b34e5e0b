using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Tether.Benchmarks.Attacks.Infrastructure;

namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>
/// Attack 2: ten WebSocket clients of <c>/broadcast</c> drop, the buffer fills with 100 KB broadcasts, and each comes back
/// with <c>/reconnect</c> and its cursor's ids set to 0 on a socket that never reads (8 KB receive window); broadcasts
/// go on until their writes stall. Measures memory while they are open and when the server ends them.
/// </summary>
internal static class StalledReaderAttack
{
    public static async Task<AttackResult> RunAsync(AttackScale scale)
    {
        await using var run = await AttackRun.StartAsync(
            "2 stalled WebSocket reconnects",
            scale.StallWriteTimeout is { } timeout ? o => o.WriteTimeout = timeout : null);
        var cursors = new List<(Negotiation Connection, string Cursor)>();
        for (int i = 0; i < scale.StalledReconnects; i++)
        {
            var connection = await run.Client.NegotiateAsync("broadcast");
            cursors.Add((connection, await ConnectAndDropAsync(run, connection)));
        }

        string payload = new('x', AttackScale.BroadcastBytes);
        for (int i = 0; i < scale.BufferedBroadcasts; i++)
        {
            await run.Host.Broadcaster.Broadcast(payload);
        }

        var sockets = new List<(Socket Socket, Task Closed)>();
        foreach (var (connection, cursor) in cursors)
        {
            string query = $"broadcast/reconnect?{connection.Query("webSockets")}&messageId={Uri.EscapeDataString(ForgedCursor.FromOwn(cursor))}";
            var (socket, _) = await RawWebSocket.OpenAsync(run.Host.BaseUri, query, run.Tally);
            sockets.Add((socket, run.Host.Connections.Closed(socket.LocalEndPoint).Task));
        }

        // Paced, so that every socket is still being written to while more than its kernel buffers hold (the server's
        // send buffer grows to a few MB) goes out: a reader that skips ahead to the topic's last 1 MB would never stall.
        for (int i = 0; i < scale.StallBroadcasts; i++)
        {
            await run.Host.Broadcaster.Broadcast(payload);
            await Task.Delay(TimeSpan.FromMilliseconds(5));
        }

        var stalledAt = Stopwatch.StartNew();
        var whileOpen = run.Growth();
        int openAfterBroadcasts = sockets.Count(s => !s.Closed.IsCompleted);

        // Each socket's end, in seconds after the last broadcast; awaited up to the write timeout and the grace.
        var endings = sockets.Select(s => s.Closed.ContinueWith(_ => stalledAt.Elapsed.TotalSeconds, TaskScheduler.Default)).ToList();
        TimeSpan wait = (scale.StallWriteTimeout ?? TimeSpan.FromSeconds(30)) + scale.StallGrace;
        try
        {
            await Task.WhenAll(endings).WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            // Reported below as the sockets still open.
        }

        var endedAfter = endings.Where(e => e.IsCompletedSuccessfully).Select(e => e.Result).ToList();

        // What the server managed to send before it ended a socket; a socket it left open is not read (reading would
        // let it send more).
        long delivered = 0;
        foreach (var (socket, closed) in sockets)
        {
            delivered += closed.IsCompleted ? await RawWebSocket.DrainAsync(socket, TimeSpan.FromSeconds(2)) : 0;
            socket.Dispose();
        }

        run.Tally.Received(delivered);
        var ended = run.Growth();
        string endedText = (endedAfter.Count == 0 ? "none ended" : $"{endedAfter.Count} ended {endedAfter.Min():F1}-{endedAfter.Max():F1} s after the last broadcast") +
            $", {sockets.Count - endedAfter.Count} still open after {wait.TotalSeconds:F0} s";
        string detail = string.Create(
            CultureInfo.InvariantCulture,
            $"write timeout {(scale.StallWriteTimeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:F0} s; {scale.BufferedBroadcasts}+{scale.StallBroadcasts} broadcasts of 100 KB; " +
            $"{openAfterBroadcasts} open after the broadcasts, memory while open: {whileOpen}; {endedText}; {Units.Bytes(delivered)} B had reached the sockets the server ended; memory after");
        return run.Result(ended, detail);
    }

    /// <summary>Connects over WebSockets, reads the init frame's cursor, starts, and drops the socket without a close.</summary>
    private static async Task<string> ConnectAndDropAsync(AttackRun run, Negotiation connection)
    {
        using var socket = new ClientWebSocket();
        var uri = new UriBuilder(new Uri(run.Host.BaseUri, $"broadcast/connect?{connection.Query("webSockets")}")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        byte[] buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        run.Tally.Received(result.Count);
        run.Tally.Status(101);
        using var init = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        string cursor = init.RootElement.GetProperty("C").GetString()!;
        await run.Client.GetAsync($"broadcast/start?{connection.Query("webSockets")}");
        socket.Abort();
        return cursor;
    }
}
