using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Tether.Benchmarks.Attacks.Infrastructure;

namespace Tether.Benchmarks.Attacks.Attacks;

/// <summary>Attack 7: <c>Host: 127.0.0.1:99999</c> on long-polling and SSE <c>/connect</c>; a chunked 20 MB <c>/send</c>.</summary>
internal static class MalformedRequestAttacks
{
    private const long ChunkedBodyBytes = 20L * 1024 * 1024;

    public static async Task<AttackResult> BadHostAsync()
    {
        await using var run = await AttackRun.StartAsync("7a Host 127.0.0.1:99999");
        var findings = new List<string>();
        foreach (var (transport, method) in new[] { ("longPolling", "POST"), ("serverSentEvents", "GET") })
        {
            var connection = await run.Client.NegotiateAsync("echo");
            string head = $"{method} /echo/connect?{connection.Query(transport)} HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nContent-Length: 0\r\nConnection: close";
            var answer = await RawHttp.SendAsync(run.Host.BaseUri, head, null, TimeSpan.FromSeconds(3), run.Tally);
            string firstLine = answer.Text.Split("\r\n")[0];
            findings.Add(string.Create(CultureInfo.InvariantCulture, $"{transport}: '{firstLine}', {Units.Bytes(answer.BytesRead)} B, {(answer.ClosedByServer ? "closed by the server" : "still open after 3 s")}"));
        }

        return run.Result(run.Growth(), string.Join("; ", findings) + $"; events [{run.Host.Events}]");
    }

    public static async Task<AttackResult> ChunkedSendAsync()
    {
        await using var run = await AttackRun.StartAsync("7b chunked 20 MB /send");
        var connection = await run.Client.NegotiateAsync("echo");
        await run.Client.ConnectLongPollingAsync(connection);
        string head = $"POST /echo/send?{connection.Query("longPolling")} HTTP/1.1\r\nHost: {run.Host.BaseUri.Authority}\r\n" +
            "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked";
        var answer = await RawHttp.SendAsync(run.Host.BaseUri, head, WriteChunkedAsync, TimeSpan.FromSeconds(20), run.Tally);
        await run.Client.AbortAsync(connection, "echo");
        string detail = string.Create(
            CultureInfo.InvariantCulture,
            $"'{answer.Text.Split("\r\n")[0]}' after {Units.Bytes(answer.BytesWritten)} B written of a {Units.Bytes(ChunkedBodyBytes)} B body, in {answer.Seconds:F2} s, {(answer.ClosedByServer ? "connection closed by the server" : "connection left open")}");
        return run.Result(run.Growth(), detail);
    }

    /// <summary><c>data=xxxx…</c> in 64 KB chunks, up to 20 MB, then the last chunk.</summary>
    private static async Task WriteChunkedAsync(Stream stream, StrongBox<long> written, CancellationToken cancellationToken)
    {
        byte[] data = new byte[64 * 1024];
        Array.Fill(data, (byte)'x');
        "data="u8.CopyTo(data);
        byte[] chunkHead = Encoding.ASCII.GetBytes($"{data.Length:X}\r\n");
        byte[] crlf = "\r\n"u8.ToArray();
        while (written.Value < ChunkedBodyBytes)
        {
            await stream.WriteAsync(chunkHead, cancellationToken);
            await stream.WriteAsync(data, cancellationToken);
            await stream.WriteAsync(crlf, cancellationToken);
            written.Value += chunkHead.Length + data.Length + crlf.Length;
            data.AsSpan(0, 5).Fill((byte)'x');
        }

        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
        written.Value += 5;
    }
}
