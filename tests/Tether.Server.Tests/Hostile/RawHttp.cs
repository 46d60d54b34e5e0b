using System.Net.Sockets;
using System.Text;

namespace Tether.Server.Tests.Hostile;

/// <summary>HTTP/1.1 by hand over a socket, for requests HttpClient refuses to send (bad Host, bad headers, stalled bodies).</summary>
internal sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _tcp = new() { NoDelay = true };
    private NetworkStream? _stream;
    private Task<string>? _response;

    public static async Task<RawHttp> ConnectAsync(TestServer server)
    {
        var raw = new RawHttp();
        await raw._tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port).DefaultTimeout();
        raw._stream = raw._tcp.GetStream();
        raw._response = raw.ReadToEndAsync();
        return raw;
    }

    /// <summary>Sends one request (headers ending with a blank line, and optionally a body) and reads until the server closes.</summary>
    public static async Task<string> SendAsync(TestServer server, string head, string body = "")
    {
        await using var raw = await ConnectAsync(server);
        await raw.WriteAsync(head + body);
        return await raw.ResponseAsync();
    }

    /// <summary>Completes when the server has closed the connection; everything it sent.</summary>
    public Task<string> ResponseAsync() => _response!.DefaultTimeout();

    /// <summary>Whether the whole response has arrived (the server closed the connection).</summary>
    public bool HasResponse => _response!.IsCompleted;

    public async Task WriteAsync(string text) => await WriteAsync(Encoding.ASCII.GetBytes(text));

    public async Task WriteAsync(byte[] bytes) => await _stream!.WriteAsync(bytes).AsTask().DefaultTimeout();

    /// <summary>The status code of a raw response, e.g. 400.</summary>
    public static int StatusOf(string response)
    {
        Assert.StartsWith("HTTP/1.1 ", response, StringComparison.Ordinal);
        return int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadToEndAsync()
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await _stream!.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the response: what arrived before it is the answer.
        }
        catch (ObjectDisposedException)
        {
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
