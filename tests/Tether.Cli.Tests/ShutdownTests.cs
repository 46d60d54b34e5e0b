using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether serve</c> with a thousand open connections on mixed transports (pending long polls, Server-Sent Events
/// streams, WebSockets) stops on Ctrl+C well before its 5 s shutdown timeout (under 3.5 s, so a loaded machine does
/// not fail it) and ends every one of them properly: each long poll gets its answer, each event stream ends, each
/// WebSocket is closed with 1001 (going away). A server that left them to the timeout would take 5 s or more.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private const int Connections = 1000;
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(3.5);
    private static readonly string[] TransportNames = ["longPolling", "serverSentEvents", "webSockets"];

    [Fact]
    public async Task Ctrl_c_with_1000_open_connections_exits_before_the_shutdown_timeout_and_ends_every_one()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "http://127.0.0.1:0");
        var baseUri = await cli.WaitForListeningAsync();
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };

        var open = new Task<string>[Connections];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Connections),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => open[i] = await OpenAsync(http, baseUri, TransportNames[i % TransportNames.Length]));

        var watch = Stopwatch.StartNew();
        cli.Interrupt();
        int exitCode = await cli.WaitForExitAsync();
        var exitTime = watch.Elapsed;
        string[] endings = await Task.WhenAll(open).DefaultTimeout();

        string summary = string.Join(", ", endings.GroupBy(e => e).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
        output.WriteLine($"shutdown of {Connections} open connections: exit {exitCode} after {exitTime.TotalMilliseconds:F0} ms; {summary}");

        Assert.Equal(0, exitCode);
        Assert.True(exitTime < ExitBound, $"tether serve took {exitTime.TotalMilliseconds:F0} ms to exit after Ctrl+C.");

        // Every long poll gets a 200 answer (with or without T), every stream ends cleanly, every WebSocket gets 1001.
        Assert.True(endings.Count(e => e.StartsWith("longPolling answered 200", StringComparison.Ordinal)) == Opened(0), "Every long poll must get a 200 answer; got " + summary);
        Assert.True(endings.Count(e => e == "serverSentEvents ended") == Opened(1), "Every event stream must end cleanly; got " + summary);
        Assert.True(endings.Count(e => e == "webSockets closed EndpointUnavailable") == Opened(2), "Every WebSocket must be closed with 1001 (EndpointUnavailable, going away); got " + summary);
    }

    /// <summary>How many of the connections were opened over <c>TransportNames[index]</c>.</summary>
    private static int Opened(int index) => Enumerable.Range(0, Connections).Count(i => i % TransportNames.Length == index);

    /// <summary>Opens one connection over <paramref name="transport"/>; the task returned describes how the server ended it.</summary>
    private static async Task<Task<string>> OpenAsync(HttpClient http, Uri baseUri, string transport)
    {
        var negotiation = await RawClient.NegotiateAsync(http, "/echo");
        string query = $"?transport={transport}&clientProtocol=2.1&connectionToken={Uri.EscapeDataString(negotiation.GetProperty("ConnectionToken").GetString()!)}";
        return transport switch
        {
            "longPolling" => await OpenLongPollAsync(http, query),
            "serverSentEvents" => await OpenEventStreamAsync(http, query),
            _ => await OpenWebSocketAsync(http, baseUri, query),
        };
    }

    private static async Task<Task<string>> OpenLongPollAsync(HttpClient http, string query)
    {
        string init = await http.GetStringAsync("/echo/connect" + query).DefaultTimeout();
        string cursor = JsonDocument.Parse(init).RootElement.GetProperty("C").GetString()!;
        await StartAsync(http, query);

        // The poll's headers are flushed as soon as the server holds it, so once they are here the poll is pending.
        var poll = await http.GetAsync($"/echo/poll{query}&messageId={Uri.EscapeDataString(cursor)}", HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        return EndOfLongPoll(poll);
    }

    private static async Task<string> EndOfLongPoll(HttpResponseMessage poll)
    {
        using (poll)
        {
            try
            {
                string body = (await poll.Content.ReadAsStringAsync()).Trim();
                using var answer = JsonDocument.Parse(body);
                bool reconnect = answer.RootElement.TryGetProperty("T", out var t) && t.GetInt32() == 1;
                return $"longPolling answered {(int)poll.StatusCode}{(reconnect ? " T" : string.Empty)}";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException)
            {
                return $"longPolling broken {ex.GetType().Name}";
            }
        }
    }

    private static async Task<Task<string>> OpenEventStreamAsync(HttpClient http, string query)
    {
        var response = await http.GetAsync("/echo/connect" + query, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("data: initialized", await reader.ReadLineAsync().DefaultTimeout());
        await StartAsync(http, query);
        return EndOfEventStream(response, reader);
    }

    private static async Task<string> EndOfEventStream(HttpResponseMessage response, StreamReader reader)
    {
        using (response)
        using (reader)
        {
            try
            {
                while (await reader.ReadLineAsync() is not null)
                {
                    // Keep-alives and the shutdown event; the stream's end is what counts.
                }

                return "serverSentEvents ended";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return $"serverSentEvents broken {ex.GetType().Name}";
            }
        }
    }

    private static async Task<Task<string>> OpenWebSocketAsync(HttpClient http, Uri baseUri, string query)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(baseUri, "/echo/connect" + query)) { Scheme = "ws" }.Uri, CancellationToken.None).DefaultTimeout();
        var buffer = new byte[4096];
        var init = await socket.ReceiveAsync(buffer, CancellationToken.None).DefaultTimeout();
        Assert.Contains("\"S\":1", Encoding.UTF8.GetString(buffer, 0, init.Count), StringComparison.Ordinal);
        await StartAsync(http, query);
        return EndOfWebSocket(socket, buffer);
    }

    private static async Task<string> EndOfWebSocket(ClientWebSocket socket, byte[] buffer)
    {
        using (socket)
        {
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return $"webSockets closed {result.CloseStatus}";
                    }
                }
            }
            catch (WebSocketException ex)
            {
                return $"webSockets broken {ex.WebSocketErrorCode}";
            }
        }
    }

    private static async Task StartAsync(HttpClient http, string query)
    {
        string started = await http.GetStringAsync("/echo/start" + query).DefaultTimeout();
        Assert.Contains("started", started, StringComparison.Ordinal);
    }
}
