using System.Net.WebSockets;
using System.Text;

namespace Tether.Benchmarks.Load.Clients;

/// <summary>A bare <see cref="ClientWebSocket"/> against Kestrel's WebSockets at <c>/ws</c>: the floor.</summary>
internal sealed class RawWebSocketBenchClient(Uri baseUri) : IBenchClient
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private Task _reading = Task.CompletedTask;

    public async Task ConnectAsync(Action<string> received, CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(new Uri(baseUri, "ws")) { Scheme = "ws" }.Uri;
        await _socket.ConnectAsync(uri, cancellationToken);
        _reading = Task.Run(() => ReadAsync(received));
    }

    public async Task SendAsync(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        try
        {
            await _reading;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _socket.Dispose();
        _sending.Dispose();
    }

    private async Task ReadAsync(Action<string> received)
    {
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            received(Encoding.UTF8.GetString(buffer, 0, length));
        }
    }
}
