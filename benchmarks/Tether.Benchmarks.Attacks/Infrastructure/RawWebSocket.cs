using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Tether.Benchmarks.Attacks.Infrastructure;

/// <summary>A WebSocket client that completes the handshake and then never reads: a stalled reader with a small window.</summary>
internal static class RawWebSocket
{
    /// <summary>Opens the socket (receive buffer 8 KB, so the server's writes stall early) and reads the 101 answer's head.</summary>
    /// <returns>The socket, still open, and the bytes of the answer head.</returns>
    public static async Task<(Socket Socket, int HeadBytes)> OpenAsync(Uri baseUri, string pathAndQuery, Tally tally)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 8 * 1024 };
        await socket.ConnectAsync(baseUri.Host, baseUri.Port);
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        byte[] head = Encoding.ASCII.GetBytes(
            $"GET /{pathAndQuery} HTTP/1.1\r\nHost: {baseUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
        await socket.SendAsync(head);
        tally.Sent(head.Length);

        // One byte at a time up to the blank line: nothing of the frames after it is read.
        var answer = new StringBuilder();
        byte[] one = new byte[1];
        while (!answer.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && answer.Length < 4096)
        {
            if (await socket.ReceiveAsync(one) == 0)
            {
                break;
            }

            answer.Append((char)one[0]);
        }

        string text = answer.ToString();
        int status = text.Length >= 12 && int.TryParse(text.AsSpan(9, 3), out int s) ? s : 0;
        tally.Status(status);
        tally.Received(text.Length);
        return (socket, text.Length);
    }

    /// <summary>Reads whatever the server managed to send, until it closed or <paramref name="limit"/> passed.</summary>
    public static async Task<long> DrainAsync(Socket socket, TimeSpan limit)
    {
        using var stop = new CancellationTokenSource(limit);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
            {
                total += n;
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
        }

        return total;
    }
}
