using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>
/// Speaks the hub protocol by hand, with URLs as the official .NET client 2.4 builds them
/// (<c>?clientProtocol=2.1&amp;transport=T&amp;connectionData=[%7B%22Name%22:%22chat%22%7D]&amp;connectionToken=..</c>) and
/// <c>/send</c> bodies as it encodes them, so results can be compared byte for byte with the captures.
/// </summary>
internal sealed class HubWireClient : IDisposable
{
    public const string UserHeader = "X-Test-User";

    private readonly Uri _baseUri;

    public HubWireClient(HubTestServer server, string connectionData = """[{"Name":"chat"}]""", string path = "/signalr")
    {
        _baseUri = server.BaseUri;
        Path = path;
        ConnectionData = connectionData;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Http { get; }

    public string Path { get; }

    /// <summary>The raw connectionData, sent with <c>{</c>, <c>"</c> and <c>}</c> escaped as the .NET client's URI does.</summary>
    public string ConnectionData { get; set; }

    public string ConnectionToken { get; private set; } = string.Empty;

    public string ConnectionId { get; private set; } = string.Empty;

    public string? MessageId { get; set; }

    public string? GroupsToken { get; set; }

    /// <summary>Added to every request as <see cref="UserHeader"/>; the auth tests turn it into the user.</summary>
    public string? User { get; set; }

    public void Dispose() => Http.Dispose();

    public string Url(string op, string? transport, string? messageId = null, string? groupsToken = null)
    {
        var query = new List<string> { "clientProtocol=2.1" };
        if (transport is not null)
        {
            query.Add("transport=" + transport);
        }

        query.Add("connectionData=" + EscapedConnectionData());
        if (op != "negotiate")
        {
            query.Add("connectionToken=" + Uri.EscapeDataString(ConnectionToken));
        }

        if (messageId is not null)
        {
            query.Add("messageId=" + Uri.EscapeDataString(messageId));
        }

        if (groupsToken is not null)
        {
            query.Add("groupsToken=" + Uri.EscapeDataString(groupsToken));
        }

        return Path + "/" + op + "?" + string.Join("&", query);
    }

    public async Task<Reply> NegotiateAsync()
    {
        var reply = await SendAsync(HttpMethod.Get, Url("negotiate", null));
        if (reply.Status == HttpStatusCode.OK)
        {
            using var json = JsonDocument.Parse(reply.Body);
            ConnectionToken = json.RootElement.GetProperty("ConnectionToken").GetString()!;
            ConnectionId = json.RootElement.GetProperty("ConnectionId").GetString()!;
        }

        return reply;
    }

    public Task<Reply> StartAsync(string transport) => SendAsync(HttpMethod.Get, Url("start", transport));

    public Task<Reply> AbortAsync(string transport) => SendAsync(HttpMethod.Post, Url("abort", transport), ProtocolClient.DotNetEmptyBody());

    /// <summary>Sends one hub call on <c>/send</c>, encoded as the .NET client does; the reply's body is the result.</summary>
    public Task<Reply> InvokeAsync(string transport, string call) =>
        SendAsync(HttpMethod.Post, Url("send", transport), ProtocolClient.NoContentTypeBody("data=" + ProtocolClient.DotNetUrlEncode(call)));

    /// <summary>One long poll (connect, poll or reconnect), with the cursor and groups token remembered.</summary>
    public async Task<LongPollResult> PollAsync(string op = "poll")
    {
        using var request = Request(HttpMethod.Post, Url(op, ProtocolClient.LongPolling, op == "connect" ? null : MessageId, GroupsToken), ProtocolClient.DotNetEmptyBody());
        using var response = await Http.SendAsync(request).DefaultTimeout();
        string body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        var envelope = Envelope.TryParse(body);
        Remember(envelope);
        return new LongPollResult(response.StatusCode, body, Reply.ContentTypeOf(response), Reply.HasNoSniff(response), envelope);
    }

    /// <summary>Polls until the messages collected satisfy <paramref name="done"/>; bounded by a number of polls.</summary>
    public async Task<List<string>> PollUntilAsync(Func<IReadOnlyList<string>, bool> done, int maxPolls = 20)
    {
        var messages = new List<string>();
        for (int i = 0; i < maxPolls; i++)
        {
            var result = await PollAsync();
            Assert.Equal(HttpStatusCode.OK, result.Status);
            messages.AddRange(result.Envelope!.RawM);
            if (done(messages))
            {
                return messages;
            }
        }

        Assert.Fail($"Expected messages not seen in {maxPolls} polls; got [{string.Join(", ", messages)}].");
        return messages;
    }

    /// <summary>Negotiate, long-polling connect and start, as the .NET client does.</summary>
    public async Task ConnectLongPollingAsync()
    {
        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync()).Status);
        var init = await PollAsync("connect");
        Assert.Equal(1, init.Envelope?.S);
        var started = await StartAsync(ProtocolClient.LongPolling);
        Assert.Equal("""{ "Response": "started" }""", started.Body);
    }

    public async Task<WebSocketChannel> ConnectWebSocketAsync(string op = "connect")
    {
        if (op == "connect")
        {
            Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync()).Status);
        }

        var socket = new ClientWebSocket();
        if (User is not null)
        {
            socket.Options.SetRequestHeader(UserHeader, User);
        }

        var http = new Uri(_baseUri, Url(op, ProtocolClient.WebSockets, op == "connect" ? null : MessageId, GroupsToken));
        await socket.ConnectAsync(new UriBuilder(http) { Scheme = "ws" }.Uri, CancellationToken.None).DefaultTimeout();
        var channel = new WebSocketChannel(socket);
        if (op == "connect")
        {
            var init = await channel.ReceiveAsync();
            Remember(Envelope.TryParse(init.Text));
            Assert.Equal("""{ "Response": "started" }""", (await StartAsync(ProtocolClient.WebSockets)).Body);
        }

        return channel;
    }

    public async Task<SseStream> ConnectServerSentEventsAsync()
    {
        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync()).Status);
        var request = Request(HttpMethod.Get, Url("connect", ProtocolClient.ServerSentEvents), null);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        request.Dispose();
        var stream = await SseStream.CreateAsync(response);
        Assert.Equal("data: initialized\n\n", await stream.ReadEventAsync());
        Remember(Envelope.TryParse(SseStream.Data((await stream.ReadEventAsync())!)));
        Assert.Equal("""{ "Response": "started" }""", (await StartAsync(ProtocolClient.ServerSentEvents)).Body);
        return stream;
    }

    public async Task<Reply> SendAsync(HttpMethod method, string relativeUrl, HttpContent? content = null)
    {
        using var request = Request(method, relativeUrl, content);
        using var response = await Http.SendAsync(request).DefaultTimeout();
        return await Reply.FromAsync(response);
    }

    private HttpRequestMessage Request(HttpMethod method, string relativeUrl, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, relativeUrl) { Content = content };
        if (User is not null)
        {
            request.Headers.TryAddWithoutValidation(UserHeader, User);
        }

        return request;
    }

    private string EscapedConnectionData() => ConnectionData.Replace("{", "%7B", StringComparison.Ordinal).Replace("}", "%7D", StringComparison.Ordinal).Replace("\"", "%22", StringComparison.Ordinal);

    private void Remember(Envelope? envelope)
    {
        if (envelope?.C is { } cursor)
        {
            MessageId = cursor;
        }

        if (envelope?.G is { Length: > 0 } groups)
        {
            GroupsToken = groups;
        }
    }
}
