using System.Text;
using Tether.Benchmarks.Attacks.Infrastructure;

namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>
/// Attack 4: long polls on <c>/echo</c> whose <c>messageId</c> holds a quote and a <c>&lt;/script&gt;</c>; an echo makes
/// each poll answer. Is the answer valid JSON, and does the raw value appear in it? Also a JSONP poll (off by default).
/// </summary>
internal static class RawMessageIdAttack
{
    private static readonly string[] Payloads = ["\"}],\"X\":\"1", "</script><script>alert(1)</script>"];

    public static async Task<AttackResult> RunAsync()
    {
        await using var run = await AttackRun.StartAsync("4 raw messageId");
        var client = run.Client;
        var (connection, _) = await client.OpenLongPollingAsync("echo");

        var findings = new List<string>();
        foreach (string payload in Payloads)
        {
            var answer = await PollWithEchoAsync(client, connection, payload);
            string body = Encoding.UTF8.GetString(answer.Body);
            findings.Add($"{answer.Status} json={PersistentResponse.IsJson(answer.Body)} raw-echoed={body.Contains(payload, StringComparison.Ordinal)}");
        }

        var jsonp = await client.PostAsync($"echo/poll?{connection.Query("longPolling")}&callback=alert&messageId={Uri.EscapeDataString(Payloads[1])}", null);
        findings.Add($"JSONP poll {jsonp.Status}");
        await client.AbortAsync(connection, "echo");
        return run.Result(run.Growth(), "quote: " + findings[0] + "; </script>: " + findings[1] + "; " + findings[2]);
    }

    /// <summary>Polls, then sends until the echo answers the poll (a send can land before the poll has subscribed).</summary>
    private static async Task<HttpAnswer> PollWithEchoAsync(ProtocolClient client, Negotiation connection, string messageId)
    {
        var poll = client.PollAsync(connection, messageId);
        for (int attempt = 0; attempt < 10 && !poll.IsCompleted; attempt++)
        {
            await client.SendAsync(connection, "data=ping"u8.ToArray());
            await Task.WhenAny(poll, Task.Delay(TimeSpan.FromSeconds(1)));
        }

        return await poll.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
