using System.Globalization;
using Tether.Benchmarks.Attacks.Infrastructure;

namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>
/// Attack 1: a long-polling client on <c>/broadcast</c> that has 1,000 buffered broadcasts of 100 KB behind it polls with
/// its own cursor's ids set to 0, then follows the returned cursors until it has the last message.
/// </summary>
internal static class ForgedCursorAttack
{
    private const string Marker = "last";

    public static async Task<AttackResult> RunAsync(AttackScale scale)
    {
        await using var run = await AttackRun.StartAsync("1 forged cursor, long poll");
        var client = run.Client;
        var (connection, ownCursor) = await client.OpenLongPollingAsync("broadcast");

        string payload = new('x', AttackScale.BroadcastBytes);
        for (int i = 0; i < scale.BufferedBroadcasts; i++)
        {
            await run.Host.Broadcaster.Broadcast(payload);
        }

        await run.Host.Broadcaster.Broadcast(Marker);
        var buffered = run.Growth();

        string cursor = ForgedCursor.FromOwn(ownCursor);
        int polls = 0;
        int messages = 0;
        long largest = 0;
        long firstPollAllocated = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (polls < 2_000)
        {
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var answer = await client.PollAsync(connection, cursor, limit.Token);
            if (polls == 0)
            {
                firstPollAllocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            }

            polls++;
            largest = Math.Max(largest, answer.Body.Length);
            var response = PersistentResponse.Parse(answer.Body);
            messages += response.MessageCount;
            cursor = response.Cursor ?? cursor;
            if (response.LastMessage == Marker)
            {
                break;
            }
        }

        var drained = run.Growth();
        await client.AbortAsync(connection, "broadcast");
        string detail = string.Create(
            CultureInfo.InvariantCulture,
            $"{scale.BufferedBroadcasts} broadcasts of 100 KB buffered: {buffered}; forged cursor '{ForgedCursor.FromOwn(ownCursor)}' drained in {polls} polls " +
            $"({messages} messages), largest response {Units.Bytes(largest)} B, first poll allocated {Units.Megabytes(firstPollAllocated)} (client parse included); " +
            $"memory after the polls");
        return run.Result(drained, detail);
    }
}
