using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>The answer to a hand-written request: status, bytes each way, whether the server closed, and the text.</summary>
internal sealed record RawAnswer(int Status, long BytesWritten, long BytesRead, bool ClosedByServer, string Text, double Seconds);

/// <summary>HTTP/1.1 written by hand over TCP, for requests HttpClient refuses to make (bad Host, endless chunked bodies).</summary>
internal static class RawHttp
{
    /// <summary>
    /// Writes <paramref name="head"/> (request line and headers, without the final blank line), then the body from
    /// <paramref name="writeBody"/> (which counts what it wrote) while reading the answer; stops at the server's close or after <paramref name="readLimit"/>.
    /// </summary>
    public static async Task<RawAnswer> SendAsync(Uri baseUri, string head, Func<Stream, StrongBox<long>, CancellationToken, Task>? writeBody, TimeSpan readLimit, Tally tally)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var client = new TcpClient();
        await client.ConnectAsync(baseUri.Host, baseUri.Port);
        var stream = client.GetStream();
        byte[] headBytes = Encoding.ASCII.GetBytes(head + "\r\n\r\n");
        await stream.WriteAsync(headBytes);
        long written = headBytes.Length;

        using var stop = new CancellationTokenSource(readLimit);
        var reading = ReadAllAsync(stream, stop.Token);
        if (writeBody is not null)
        {
            // The body is written until it ends, the server closes, or the answer has arrived.
            using var bodyStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            _ = reading.ContinueWith(_ => bodyStop.Cancel(), TaskScheduler.Default);
            var bodyWritten = new StrongBox<long>();
            try
            {
                await writeBody(stream, bodyWritten, bodyStop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The server closed or answered: what was written until then is counted below.
            }

            written += bodyWritten.Value;
        }

        var (text, read, closed) = await reading;
        tally.Sent(written);
        tally.Received(read);
        int status = ParseStatus(text);
        tally.Status(status);
        return new RawAnswer(status, written, read, closed, text, watch.Elapsed.TotalSeconds);
    }

    private static async Task<(string Text, long Read, bool Closed)> ReadAllAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    return (text.ToString(), total, true);
                }

                total += n;
                if (text.Length < 4096)
                {
                    text.Append(Encoding.ASCII.GetString(buffer, 0, Math.Min(n, 4096)));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
        {
            return (text.ToString(), total, ex is not OperationCanceledException);
        }
    }

    private static int ParseStatus(string text) =>
        text.StartsWith("HTTP/1.", StringComparison.Ordinal) && text.Length >= 12 && int.TryParse(text.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status)
            ? status
            : 0;
}
