using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Tether.Server.Tests.Transports;

/// <summary>Volume over a raw WebSocket: every echo arrives once, in order, whatever the interleaving of sends and writes.</summary>
public sealed class WebSocketStressTests
{
    /// <summary>
    /// The client sends twice the replay buffer without waiting for echoes, and reads slowly. Without back-pressure the
    /// server's echoes would overrun the connection's buffer and be lost; with it, the server stops reading input.
    /// </summary>
    [Fact]
    public async Task EchoesEveryMessageInOrder_WhenTheClientSendsFasterThanItReads()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var negotiate = JsonDocument.Parse(await http.GetStringAsync("echo/negotiate?clientProtocol=2.1"));
        string token = Uri.EscapeDataString(negotiate.RootElement.GetProperty("ConnectionToken").GetString()!);
        using var socket = new ClientWebSocket();
        var wsUri = new Uri(server.Url($"/echo/connect?clientProtocol=2.1&transport=webSockets&connectionToken={token}").Replace("http://", "ws://", StringComparison.Ordinal));
        await socket.ConnectAsync(wsUri, CancellationToken.None).DefaultTimeout();

        const int count = 2000;
        var received = new List<string>();
        var buffer = new byte[64 * 1024];
        var reading = Task.Run(async () =>
        {
            while (received.Count < count)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                Assert.True(result.EndOfMessage);
                using var doc = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                if (doc.RootElement.TryGetProperty("M", out var messages))
                {
                    foreach (var m in messages.EnumerateArray())
                    {
                        received.Add(m.GetString()!);
                    }
                }
            }
        });

        for (int i = 0; i < count; i++)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("m" + i), WebSocketMessageType.Text, true, CancellationToken.None).DefaultTimeout();
        }

        await reading.DefaultTimeout();
        Assert.Equal(Enumerable.Range(0, count).Select(i => "m" + i), received);
    }
}
