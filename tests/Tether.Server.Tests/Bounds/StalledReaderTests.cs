using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Tests.Conformance;
using Xunit.Abstractions;

namespace Tether.Server.Tests.Bounds;

/// <summary>
/// A WebSocket or SSE client that never reads is ended once a write has waited WriteTimeout: the server stops writing
/// to it (what it still has for it stays in the bounded replay buffer, for a reconnect with the cursor) and, with no
/// receive request left, the connection is disconnected after the disconnect timeout.
/// </summary>
public sealed class StalledReaderTests(ITestOutputHelper output)
{
    private const int MessageCount = 300;
    private const int MessageChars = 100_000;

    [Theory]
    [InlineData(ProtocolClient.ServerSentEvents)]
    [InlineData(ProtocolClient.WebSockets)]
    public async Task ClientThatNeverReads_IsEndedAfterWriteTimeout(string transport)
    {
        var writeTimeout = TimeSpan.FromSeconds(1);
        await using var server = await TestServer.StartAsync(o =>
        {
            o.WriteTimeout = writeTimeout;
            o.DisconnectTimeout = TimeSpan.FromSeconds(3);
            o.KeepAlive = TimeSpan.FromSeconds(1);
            o.MaxTopicBufferBytes = 64L * 1024 * 1024;
        });
        using var client = new ProtocolClient(server, "/events");
        await client.NegotiateOrFailAsync();
        await using var reader = await EnvelopeReader.OpenAsync(client, transport, "connect", null);
        await reader.NextAsync();
        await client.StartAsync(transport);

        // 30 MB for a client that reads nothing: far more than the socket buffers take.
        var context = server.Services.GetRequiredService<IPersistentConnectionContext<EventsConnection>>();
        string payload = new('x', MessageChars);
        for (int i = 0; i < MessageCount; i++)
        {
            await context.Connection.Send(client.ConnectionId, i.ToString("D3") + payload);
        }

        var published = Stopwatch.StartNew();
        var disconnected = await server.Events.WaitFor(ConnectionEventKind.Disconnected, client.ConnectionId).DefaultTimeout();

        // Ended by the stalled write, then disconnected for having no receive request: not stopped, not kept alive.
        Assert.False(disconnected.StopCalled);
        Assert.True(published.Elapsed >= TimeSpan.FromSeconds(3), $"disconnected after {published.Elapsed}");

        // What reached the client is bounded by the socket buffers: the server gave up on the rest.
        int delivered = 0;
        try
        {
            while (delivered < MessageCount)
            {
                delivered += (await reader.NextAsync()).Envelope.M.Count;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or WebSocketException or Xunit.Sdk.XunitException)
        {
            // The request was dropped: reading ends with an error or the end of the stream.
        }

        output.WriteLine($"{transport}: disconnected {published.Elapsed.TotalSeconds:F1} s after the last send; {delivered} of {MessageCount} messages of {MessageChars} bytes reached the client");
        Assert.True(delivered < MessageCount, $"all {delivered} messages were delivered to a client that did not read");
    }
}
