using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Tether.Cli.Tests;

/// <summary>
/// Just enough of the classic client's HTTP conversation to drive <c>tether serve</c> from a test: negotiate, connect
/// (long polling or WebSockets), start, send, poll and abort.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _path;
    private readonly string _transport;
    private ClientWebSocket? _socket;
    private string? _cursor;

    private RawClient(HttpClient http, string path, string transport, string connectionId, string connectionToken)
    {
        _http = http;
        _path = path;
        _transport = transport;
        ConnectionId = connectionId;
        ConnectionToken = connectionToken;
    }

    public string ConnectionId { get; }

    public string ConnectionToken { get; }

    /// <summary>GET <c>{path}/negotiate?clientProtocol=2.1</c>, checked and parsed.</summary>
    public static async Task<JsonElement> NegotiateAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync($"{path}/negotiate?clientProtocol=2.1").DefaultTimeout();
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"negotiate answered {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Negotiates, opens the transport, reads the init message and calls <c>/start</c>.</summary>
    public static async Task<RawClient> ConnectAsync(HttpClient http, string path, string transport)
    {
        var negotiation = await NegotiateAsync(http, path);
        var client = new RawClient(
            http,
            path,
            transport,
            negotiation.GetProperty(nameof(ConnectionId)).GetString()!,
            negotiation.GetProperty(nameof(ConnectionToken)).GetString()!);

        JsonElement init;
        if (transport == "webSockets")
        {
            var uri = new UriBuilder(new Uri(http.BaseAddress!, client.Url("connect"))) { Scheme = "ws" }.Uri;
            client._socket = new ClientWebSocket();
            await client._socket.ConnectAsync(uri, CancellationToken.None).DefaultTimeout();
            init = await client.ReceiveFrameAsync();
        }
        else
        {
            init = await client.GetJsonAsync(client.Url("connect"));
        }

        Assert.Equal(1, init.GetProperty("S").GetInt32());
        client._cursor = init.GetProperty("C").GetString();

        var started = await client.GetJsonAsync(client.Url("start"));
        Assert.Equal("started", started.GetProperty("Response").GetString());
        return client;
    }

    /// <summary>Sends data: a WebSocket text message, or a <c>/send</c> form post.</summary>
    public async Task SendAsync(string data)
    {
        if (_socket is not null)
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(data), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).DefaultTimeout();
            return;
        }

        using var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("data", data)]);
        using var response = await _http.PostAsync(Url("send"), content).DefaultTimeout();
        Assert.True(response.IsSuccessStatusCode, $"send answered {(int)response.StatusCode}");
    }

    /// <summary>Receives until a message arrives (polling again after empty long polls, skipping keep-alives); returns it as a string.</summary>
    public async Task<string> ReceiveAsync()
    {
        while (true)
        {
            var response = _socket is not null
                ? await ReceiveFrameAsync()
                : await GetJsonAsync(Url("poll") + "&messageId=" + Uri.EscapeDataString(_cursor ?? string.Empty));
            if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("M", out var messages))
            {
                continue; // A keep-alive ({}).
            }

            if (response.TryGetProperty("C", out var cursor))
            {
                _cursor = cursor.GetString();
            }

            if (messages.GetArrayLength() > 0)
            {
                return messages[0].GetString()!;
            }
        }
    }

    /// <summary>POST <c>/abort</c>, as a client's <c>stop()</c> does; the server raises OnDisconnected(stopCalled: true).</summary>
    public async Task AbortAsync()
    {
        using var response = await _http.PostAsync(Url("abort"), content: null).DefaultTimeout();
        Assert.True(response.IsSuccessStatusCode, $"abort answered {(int)response.StatusCode}");
        if (_socket is { State: WebSocketState.Open })
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).DefaultTimeout();
        }
    }

    public void Dispose() => _socket?.Dispose();

    private string Url(string operation) =>
        $"{_path}/{operation}?transport={_transport}&clientProtocol=2.1&connectionToken={Uri.EscapeDataString(ConnectionToken)}";

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await _http.GetAsync(url).DefaultTimeout();
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private async Task<JsonElement> ReceiveFrameAsync()
    {
        var buffer = new byte[16 * 1024];
        using var frame = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket!.ReceiveAsync(buffer, CancellationToken.None).DefaultTimeout();
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            frame.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        using var document = JsonDocument.Parse(frame.ToArray());
        return document.RootElement.Clone();
    }
}
