using System.Threading.Channels;
using Microsoft.AspNet.SignalR.Client;
using Microsoft.AspNet.SignalR.Client.Http;
using Microsoft.AspNet.SignalR.Client.Transports;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;

namespace Tether.Cli.Tests;

/// <summary>
/// End to end: the hub <c>chat</c> of the real <c>tether serve</c> at <c>/signalr</c>, called by the official .NET client
/// 2.4.2 over each transport, and its generated JavaScript proxy.
/// </summary>
public sealed class ServeHubTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serve_answers_the_chat_hub_over_every_transport_and_prints_each_call()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "http://127.0.0.1:0");
        var baseUri = await cli.WaitForListeningAsync();
        await cli.WaitForLineAsync(l => l.StartsWith("Endpoints: ", StringComparison.Ordinal) && l.Contains("/signalr (hub 'chat'", StringComparison.Ordinal)).DefaultTimeout();

        foreach (string transport in new[] { "webSockets", "serverSentEvents", "longPolling", "auto" })
        {
            using var connection = new HubConnection(new Uri(baseUri, "signalr").ToString());
            var chat = connection.CreateHubProxy("chat");
            var messages = Channel.CreateUnbounded<(string Name, string Message)>();
            chat.On<string, string>("addMessage", (name, message) => messages.Writer.TryWrite((name, message)));
            await connection.Start(CreateTransport(transport)).DefaultTimeout();
            string used = connection.Transport.Name;
            Assert.Equal(transport == "auto" ? "webSockets" : transport, used);
            string id = connection.ConnectionId;
            await cli.WaitForLineAsync(l => l.EndsWith($" /signalr chat connected {id} via {used}", StringComparison.Ordinal)).DefaultTimeout();

            Assert.Equal($"hello over {transport} \u2603", await chat.Invoke<string>("Echo", $"hello over {transport} \u2603").DefaultTimeout());
            await cli.WaitForLineAsync(l => l.EndsWith($" /signalr chat.Echo(hello over {transport} \u2603) from {id}", StringComparison.Ordinal)).DefaultTimeout();
            Assert.Equal(42, await chat.Invoke<int>("Add", 19, 23).DefaultTimeout());

            await chat.Invoke("Send", "ann", "to everyone").DefaultTimeout();
            Assert.Equal(("ann", "to everyone"), await messages.Reader.ReadAsync().AsTask().DefaultTimeout());

            await chat.Invoke("JoinGroup", "room").DefaultTimeout();
            await chat.Invoke("SendToGroup", "room", "bob", "to the room").DefaultTimeout();
            Assert.Equal(("bob", "to the room"), await messages.Reader.ReadAsync().AsTask().DefaultTimeout());
            await chat.Invoke("LeaveGroup", "room").DefaultTimeout();
            await cli.WaitForLineAsync(l => l.EndsWith($" /signalr chat.LeaveGroup(room) from {id}", StringComparison.Ordinal)).DefaultTimeout();

            var error = await Assert.ThrowsAsync<HubException>(() => chat.Invoke("Fail", "on purpose").DefaultTimeout());
            Assert.Equal("on purpose", error.Message);
            Assert.Equal(42, JToken.FromObject(error.ErrorData!)["code"]!.Value<int>());

            connection.Stop();
            await cli.WaitForLineAsync(l => l.EndsWith($" /signalr chat disconnected {id} via {used} (stopCalled: true)", StringComparison.Ordinal)).DefaultTimeout();
        }

        cli.Interrupt();
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Empty(cli.Stderr);
    }

    [Fact]
    public async Task Serve_generates_the_javascript_proxy_of_the_chat_hub()
    {
        await using var cli = CliProcess.Start(output, "serve", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = await cli.WaitForListeningAsync() };

        using var response = await http.GetAsync("signalr/hubs").DefaultTimeout();
        string script = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/signalr/hubs answered {(int)response.StatusCode}: {script}");
        Assert.Contains("javascript", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);

        // The hub's name is given by [HubName("chat")], so it stays as it is; the methods are camel-cased, and call the
        // hub's methods by their own names. (The browser tests run the proxy in the official jQuery client.)
        Assert.Matches("createHubProxy\\([\"']chat[\"']\\)", script);
        foreach (string method in new[] { "Echo", "Add", "Send", "JoinGroup", "LeaveGroup", "SendToGroup", "Fail" })
        {
            string camelCased = char.ToLowerInvariant(method[0]) + method[1..];
            Assert.Matches($"[\"']?{camelCased}[\"']?: function \\(", script);
            Assert.Contains($"\"{method}\"", script, StringComparison.Ordinal);
        }
    }

    private static IClientTransport CreateTransport(string name) => name switch
    {
        "webSockets" => new WebSocketTransport(),
        "serverSentEvents" => new ServerSentEventsTransport(),
        "longPolling" => new LongPollingTransport(),
        _ => new AutoTransport(new DefaultHttpClient()),
    };
}
