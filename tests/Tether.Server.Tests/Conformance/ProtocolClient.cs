using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

// The JSON keys read here are wire names (docs/protocol.md#negotiate, #persistent-responses) that happen to equal property names; nameof would tie
// the wire format to C# identifiers.
#pragma warning disable CA1507

namespace Tether.Server.Tests.Conformance;

/// <summary>
/// Speaks the classic SignalR 2.x persistent-connection protocol by hand, over real HTTP and WebSockets, so that the
/// conformance tests read like exchanges on the wire. URLs are built here, byte by byte, the way the official
/// clients build them (docs/protocol.md#query-strings); nothing is parsed or retried on the test's behalf.
/// </summary>
internal sealed class ProtocolClient : IDisposable
{
    /// <summary>The header the conformance tests' auth middleware turns into <c>HttpContext.User</c>.</summary>
    public const string UserHeader = "X-Test-User";

    public const string LongPolling = "longPolling";
    public const string ServerSentEvents = "serverSentEvents";
    public const string WebSockets = "webSockets";
    public const string ForeverFrame = "foreverFrame";

    private readonly TestServer _server;

    public ProtocolClient(TestServer server, string path = "/echo", string? user = null)
    {
        _server = server;
        Path = path;
        User = user;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = server.BaseUri,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public HttpClient Http { get; }

    /// <summary>The connection's path, e.g. <c>/echo</c> (with any PathBase, e.g. <c>/app/echo</c>).</summary>
    public string Path { get; }

    /// <summary>The user name sent in <see cref="UserHeader"/>, or <see langword="null"/> for anonymous requests.</summary>
    public string? User { get; set; }

    public string ConnectionToken { get; set; } = string.Empty;

    public string ConnectionId { get; set; } = string.Empty;

    /// <summary>The last cursor <c>C</c> seen by the helpers that read persistent responses.</summary>
    public string? MessageId { get; set; }

    /// <summary>The last non-empty groups token <c>G</c> seen by the helpers that read persistent responses.</summary>
    public string? GroupsToken { get; set; }

    public void Dispose() => Http.Dispose();

    // ---------------------------------------------------------------- URLs

    /// <summary>
    /// A URL in the .NET client's parameter order (§2.3):
    /// <c>{path}/{op}?clientProtocol=2.1&amp;transport=T&amp;connectionToken=..[&amp;messageId=..][&amp;groupsToken=..][&amp;extra]</c>.
    /// </summary>
    public string Url(string op, string? transport, string? messageId = null, string? groupsToken = null, string? extraQuery = null, string? clientProtocol = "2.1", string? token = null)
    {
        var query = new List<string>();
        if (clientProtocol is not null)
        {
            query.Add("clientProtocol=" + Uri.EscapeDataString(clientProtocol));
        }

        if (transport is not null)
        {
            query.Add("transport=" + Uri.EscapeDataString(transport));
        }

        query.Add("connectionToken=" + Uri.EscapeDataString(token ?? ConnectionToken));
        if (messageId is not null)
        {
            query.Add("messageId=" + Uri.EscapeDataString(messageId));
        }

        if (groupsToken is not null)
        {
            query.Add("groupsToken=" + Uri.EscapeDataString(groupsToken));
        }

        if (!string.IsNullOrEmpty(extraQuery))
        {
            query.Add(extraQuery);
        }

        string suffix = op.Length == 0 ? string.Empty : "/" + op;
        return Path + suffix + "?" + string.Join("&", query);
    }

    public Uri WebSocketUri(string relativeUrl)
    {
        var http = new Uri(_server.BaseUri, relativeUrl);
        return new UriBuilder(http) { Scheme = "ws" }.Uri;
    }

    // ---------------------------------------------------------------- plain requests

    public HttpRequestMessage Request(HttpMethod method, string relativeUrl, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, relativeUrl) { Content = content };
        if (User is not null)
        {
            request.Headers.TryAddWithoutValidation(UserHeader, User);
        }

        return request;
    }

    /// <summary>Sends a request and reads the whole response (body included).</summary>
    public async Task<Reply> SendRequestAsync(HttpMethod method, string relativeUrl, HttpContent? content = null)
    {
        using var request = Request(method, relativeUrl, content);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead).DefaultTimeout();
        return await Reply.FromAsync(response);
    }

    public Task<Reply> GetAsync(string relativeUrl) => SendRequestAsync(HttpMethod.Get, relativeUrl);

    /// <summary>A body-less POST as the .NET client sends it: empty, <c>text/plain; charset=utf-8</c> (§2.4).</summary>
    public static HttpContent DotNetEmptyBody() => new StringContent(string.Empty, Encoding.UTF8, "text/plain");

    /// <summary>A form body as jQuery sends it: <c>application/x-www-form-urlencoded; charset=UTF-8</c>.</summary>
    public static HttpContent JsFormBody(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
        return content;
    }

    /// <summary>Raw bytes and no Content-Type header at all, as the .NET client's <c>/send</c> (P1, V15).</summary>
    public static HttpContent NoContentTypeBody(string body) => new ByteArrayContent(Encoding.UTF8.GetBytes(body));

    // ---------------------------------------------------------------- negotiate, start, send, abort

    public async Task<Reply> NegotiateAsync(string? query = "clientProtocol=2.1")
    {
        var reply = await GetAsync(Path + "/negotiate" + (query is null ? string.Empty : "?" + query));
        if (reply.Status == HttpStatusCode.OK && reply.Body.StartsWith('{'))
        {
            using var json = JsonDocument.Parse(reply.Body);
            if (json.RootElement.TryGetProperty("ConnectionToken", out var token) && token.ValueKind == JsonValueKind.String)
            {
                ConnectionToken = token.GetString()!;
            }

            if (json.RootElement.TryGetProperty("ConnectionId", out var id) && id.ValueKind == JsonValueKind.String)
            {
                ConnectionId = id.GetString()!;
            }
        }

        return reply;
    }

    /// <summary>Negotiates and insists on a 200, for tests about what comes after.</summary>
    public async Task NegotiateOrFailAsync()
    {
        var reply = await NegotiateAsync();
        Assert.True(reply.Status == HttpStatusCode.OK, $"negotiate: expected 200, got {(int)reply.Status}: {reply.Body}");
        Assert.False(string.IsNullOrEmpty(ConnectionToken), "negotiate gave no ConnectionToken");
    }

    public Task<Reply> StartAsync(string transport) => GetAsync(Url("start", transport));

    /// <summary><c>/send</c> with the .NET client's encoding: no Content-Type, lowercase hex escapes (V15).</summary>
    public Task<Reply> SendDotNetAsync(string transport, string? data) =>
        SendRequestAsync(HttpMethod.Post, Url("send", transport), NoContentTypeBody(data is null || data.Length == 0 ? string.Empty : "data=" + DotNetUrlEncode(data)));

    /// <summary><c>/abort</c> as the .NET client sends it (empty <c>text/plain</c> POST).</summary>
    public Task<Reply> AbortAsync(string transport) => SendRequestAsync(HttpMethod.Post, Url("abort", transport), DotNetEmptyBody());

    /// <summary>
    /// The classic .NET client's form encoder (<c>Client/Http/HttpHelper.cs</c>, <c>UrlEncoder.cs</c>): alphanumerics and
    /// <c>-_.!*()</c> stay, space becomes <c>+</c>, everything else is UTF-8 percent-escaped with LOWERCASE hex.
    /// </summary>
    public static string DotNetUrlEncode(string value)
    {
        var builder = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '!' or '*' or '(' or ')')
            {
                builder.Append(c);
            }
            else if (c == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(((int)b).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    // ---------------------------------------------------------------- long polling

    /// <summary>
    /// Starts a long-polling receive request (connect, poll or reconnect) and returns at once; the response is awaited
    /// through the returned <see cref="LongPoll"/>. With <paramref name="formBody"/> the cursor and groups token travel in
    /// the POST body as the JS client sends them; otherwise in the query with an empty body, as the .NET client sends them.
    /// </summary>
    public LongPoll BeginLongPoll(string op, string? messageId = null, string? groupsToken = null, bool formBody = false)
    {
        HttpRequestMessage request;
        if (formBody)
        {
            var form = new List<string>();
            if (messageId is not null)
            {
                form.Add("messageId=" + Uri.EscapeDataString(messageId));
            }

            if (groupsToken is not null)
            {
                form.Add("groupsToken=" + Uri.EscapeDataString(groupsToken));
            }

            // JS receive URL order: transport first, then clientProtocol and token (§2.3); no tid for LP.
            string url = Path + "/" + op + "?transport=longPolling&clientProtocol=2.1&connectionToken=" + Uri.EscapeDataString(ConnectionToken);
            request = Request(HttpMethod.Post, url, JsFormBody(string.Join("&", form)));
        }
        else
        {
            request = Request(HttpMethod.Post, Url(op, LongPolling, messageId, groupsToken), DotNetEmptyBody());
        }

        return new LongPoll(request, Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));
    }

    /// <summary>Runs one long-polling request to completion and remembers its cursor and groups token.</summary>
    public async Task<LongPollResult> LongPollAsync(string op, string? messageId = null, string? groupsToken = null, bool formBody = false)
    {
        using var poll = BeginLongPoll(op, messageId, groupsToken, formBody);
        var result = await poll.CompleteAsync();
        Remember(result.Envelope);
        return result;
    }

    /// <summary>
    /// Negotiates and opens long polling the way the .NET client does (negotiate, POST /connect, GET /start), checking
    /// each step, and leaves <see cref="MessageId"/> at the init message's cursor.
    /// </summary>
    public async Task ConnectLongPollingAsync()
    {
        await NegotiateOrFailAsync();
        var connect = await LongPollAsync("connect");
        Assert.True(connect.Status == HttpStatusCode.OK, $"LP connect: expected 200, got {(int)connect.Status}: {connect.Body}");
        Assert.True(connect.Envelope?.S == 1, $"LP connect: expected the init message, got: {connect.Body}");
        var started = await StartAsync(LongPolling);
        Assert.Equal(HttpStatusCode.OK, started.Status);
    }

    /// <summary>
    /// Polls (op <c>poll</c> after the first request) until <paramref name="done"/> says the collected messages are
    /// complete; returns every persistent response received, in order. Bounded by a number of polls, never by sleeping.
    /// </summary>
    public async Task<List<LongPollResult>> PollUntilAsync(Func<IReadOnlyList<string>, bool> done, string firstOp = "poll", string? groupsToken = null, bool formBody = false, int maxPolls = 20)
    {
        var results = new List<LongPollResult>();
        var messages = new List<string>();
        string op = firstOp;
        for (int i = 0; i < maxPolls; i++)
        {
            var result = await LongPollAsync(op, MessageId, groupsToken ?? GroupsToken, formBody);
            Assert.True(result.Status == HttpStatusCode.OK, $"LP {op}: expected 200, got {(int)result.Status}: {result.Body}");
            results.Add(result);
            if (result.Envelope is { } envelope)
            {
                messages.AddRange(envelope.M);
            }

            if (done(messages))
            {
                return results;
            }

            op = "poll";
        }

        Assert.Fail($"No expected messages after {maxPolls} polls; got [{string.Join(", ", messages)}].");
        return results;
    }

    private void Remember(Envelope? envelope)
    {
        if (envelope?.C is { } cursor)
        {
            MessageId = cursor;
        }

        if (!string.IsNullOrEmpty(envelope?.G))
        {
            GroupsToken = envelope.G;
        }
    }

    // ---------------------------------------------------------------- server-sent events

    /// <summary>Opens an SSE receive request (<c>connect</c> or <c>reconnect</c>) with <c>Accept: text/event-stream</c>, as the .NET client does.</summary>
    public async Task<SseStream> OpenSseAsync(string op = "connect", string? messageId = null, string? groupsToken = null, string? relativeUrl = null)
    {
        var request = Request(HttpMethod.Get, relativeUrl ?? Url(op, ServerSentEvents, messageId, groupsToken));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        request.Dispose();
        return await SseStream.CreateAsync(response);
    }

    // ---------------------------------------------------------------- websockets

    public async Task<WebSocketChannel> OpenWebSocketAsync(string op = "connect", string? messageId = null, string? groupsToken = null, string? relativeUrl = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (User is not null)
        {
            socket.Options.SetRequestHeader(UserHeader, User);
        }

        await socket.ConnectAsync(WebSocketUri(relativeUrl ?? Url(op, WebSockets, messageId, groupsToken)), CancellationToken.None).DefaultTimeout();
        return new WebSocketChannel(socket);
    }
}

/// <summary>A fully read HTTP response.</summary>
internal sealed record Reply(HttpStatusCode Status, string? ReasonPhrase, string Body, string? ContentType, bool NoSniff, long? ContentLength, bool ClosesConnection = false)
{
    public static async Task<Reply> FromAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        return new Reply(response.StatusCode, response.ReasonPhrase, body, ContentTypeOf(response), HasNoSniff(response), response.Content.Headers.ContentLength, response.Headers.ConnectionClose == true);
    }

    public static string? ContentTypeOf(HttpResponseMessage response) =>
        response.Content.Headers.TryGetValues("Content-Type", out var values) ? string.Join(",", values) : null;

    public static bool HasNoSniff(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Content-Type-Options", out var values) && values.SequenceEqual(["nosniff"]);

    public override string ToString() => $"{(int)Status} {ReasonPhrase} [{ContentType}] {Body}";
}

/// <summary>A long-polling request in flight.</summary>
internal sealed class LongPoll(HttpRequestMessage request, Task<HttpResponseMessage> responseTask) : IDisposable
{
    private HttpResponseMessage? _response;
    private Stream? _body;
    private readonly MemoryStream _received = new();

    /// <summary>Completes when the response headers arrive (the server flushes them at once, §7.3).</summary>
    public Task<HttpResponseMessage> ResponseTask { get; } = responseTask;

    /// <summary>Reads the next body byte (e.g. a keep-alive space); -1 at the end of the body.</summary>
    public async Task<int> ReadByteAsync()
    {
        var body = await BodyAsync();
        var one = new byte[1];
        int read = await body.ReadAsync(one).AsTask().DefaultTimeout();
        if (read == 0)
        {
            return -1;
        }

        _received.WriteByte(one[0]);
        return one[0];
    }

    /// <summary>Reads the rest of the body and returns the WHOLE body (including bytes already read one by one).</summary>
    public async Task<LongPollResult> CompleteAsync()
    {
        var body = await BodyAsync();
        await body.CopyToAsync(_received).DefaultTimeout();
        string text = Encoding.UTF8.GetString(_received.ToArray());
        return new LongPollResult(_response!.StatusCode, text, Reply.ContentTypeOf(_response), Reply.HasNoSniff(_response), Envelope.TryParse(text.TrimStart(' ')));
    }

    private async Task<Stream> BodyAsync()
    {
        _response ??= await ResponseTask.DefaultTimeout();
        _body ??= await _response.Content.ReadAsStreamAsync().DefaultTimeout();
        return _body;
    }

    public void Dispose()
    {
        _body?.Dispose();
        _response?.Dispose();
        request.Dispose();
        _received.Dispose();
    }
}

internal sealed record LongPollResult(HttpStatusCode Status, string Body, string? ContentType, bool NoSniff, Envelope? Envelope)
{
    public override string ToString() => $"{(int)Status} [{ContentType}] '{Body}'";
}

/// <summary>An open <c>text/event-stream</c> response, read event by event as raw text.</summary>
internal sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _stream;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[4096];

    private SseStream(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _stream = stream;
    }

    public HttpStatusCode Status => _response.StatusCode;

    public string? ContentType => Reply.ContentTypeOf(_response);

    public bool NoSniff => Reply.HasNoSniff(_response);

    public static async Task<SseStream> CreateAsync(HttpResponseMessage response)
    {
        var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();
        return new SseStream(response, stream);
    }

    /// <summary>
    /// The next event as the raw bytes on the wire, up to and including the blank line that ends it (<c>\n\n</c> or
    /// <c>\r\n\r\n</c>, so that a wrong newline style shows up in the assertion instead of hanging). <see langword="null"/>
    /// when the stream ends.
    /// </summary>
    public async Task<string?> ReadEventAsync()
    {
        while (true)
        {
            int end = FindEventEnd();
            if (end >= 0)
            {
                string text = Encoding.UTF8.GetString(_pending.GetRange(0, end).ToArray());
                _pending.RemoveRange(0, end);
                return text;
            }

            int read = await _stream.ReadAsync(_buffer).AsTask().DefaultTimeout();
            if (read == 0)
            {
                if (_pending.Count == 0)
                {
                    return null;
                }

                string rest = Encoding.UTF8.GetString(_pending.ToArray());
                _pending.Clear();
                return rest;
            }

            _pending.AddRange(_buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Reads events until one that is not a keep-alive (<c>data: {}</c>); returns its raw text.</summary>
    public async Task<string?> ReadNonKeepAliveEventAsync()
    {
        while (true)
        {
            string? e = await ReadEventAsync();
            if (e is null || Data(e) != "{}")
            {
                return e;
            }
        }
    }

    /// <summary>Reads persistent responses (skipping keep-alives) until <paramref name="done"/> holds for the messages collected.</summary>
    public async Task<List<Envelope>> ReadUntilAsync(Func<IReadOnlyList<string>, bool> done, int maxEvents = 50)
    {
        var envelopes = new List<Envelope>();
        var messages = new List<string>();
        for (int i = 0; i < maxEvents; i++)
        {
            string? e = await ReadNonKeepAliveEventAsync();
            Assert.True(e is not null, $"SSE stream ended; messages so far: [{string.Join(", ", messages)}]");
            var envelope = Envelope.TryParse(Data(e!));
            Assert.True(envelope is not null, $"SSE event is not a persistent response: '{e}'");
            envelopes.Add(envelope!);
            messages.AddRange(envelope!.M);
            if (done(messages))
            {
                return envelopes;
            }
        }

        Assert.Fail($"Expected messages not seen in {maxEvents} events; got [{string.Join(", ", messages)}].");
        return envelopes;
    }

    /// <summary>Completes with <see langword="true"/> once the server ends the stream (skipping anything still sent).</summary>
    public async Task<bool> WaitForEndAsync()
    {
        while (true)
        {
            try
            {
                if (await ReadEventAsync() is null)
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // An aborted response also ends the stream.
                return true;
            }
        }
    }

    /// <summary>The payload of a single-line <c>data:</c> event, without the field name and trailing newlines.</summary>
    public static string Data(string rawEvent)
    {
        string line = rawEvent.TrimEnd('\r', '\n');
        return line.StartsWith("data: ", StringComparison.Ordinal) ? line["data: ".Length..] : line;
    }

    public ValueTask DisposeAsync()
    {
        _response.Dispose();
        return _stream.DisposeAsync();
    }

    private int FindEventEnd()
    {
        for (int i = 0; i + 1 < _pending.Count; i++)
        {
            if (_pending[i] == '\n' && _pending[i + 1] == '\n')
            {
                return i + 2;
            }

            if (i + 3 < _pending.Count && _pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
            {
                return i + 4;
            }
        }

        return -1;
    }
}

/// <summary>A WebSocket receive channel: text frames in, text frames out.</summary>
internal sealed class WebSocketChannel(ClientWebSocket socket) : IDisposable
{
    public ClientWebSocket Socket { get; } = socket;

    /// <summary>The next whole message (reassembled). A close frame gives <see cref="WebSocketMessageType.Close"/>.</summary>
    public async Task<WsMessage> ReceiveAsync()
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, CancellationToken.None).DefaultTimeout();
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new WsMessage(WebSocketMessageType.Close, string.Empty, result.CloseStatus, result.CloseStatusDescription);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return new WsMessage(result.MessageType, Encoding.UTF8.GetString(message.ToArray()), null, null);
            }
        }
    }

    /// <summary>Reads text frames, skipping keep-alives (<c>{}</c>), until <paramref name="done"/> holds for the messages collected.</summary>
    public async Task<List<Envelope>> ReadUntilAsync(Func<IReadOnlyList<string>, bool> done, int maxFrames = 50)
    {
        var envelopes = new List<Envelope>();
        var messages = new List<string>();
        for (int i = 0; i < maxFrames; i++)
        {
            var frame = await ReceiveAsync();
            Assert.True(frame.Type == WebSocketMessageType.Text, $"Expected a text frame, got {frame.Type} {frame.CloseStatus}; messages so far: [{string.Join(", ", messages)}]");
            if (frame.Text == "{}")
            {
                continue;
            }

            var envelope = Envelope.TryParse(frame.Text);
            Assert.True(envelope is not null, $"Frame is not a persistent response: '{frame.Text}'");
            envelopes.Add(envelope!);
            messages.AddRange(envelope!.M);
            if (done(messages))
            {
                return envelopes;
            }
        }

        Assert.Fail($"Expected messages not seen in {maxFrames} frames; got [{string.Join(", ", messages)}].");
        return envelopes;
    }

    /// <summary>Reads until the server closes the socket; the close frame, or <see langword="null"/> when the socket was aborted instead.</summary>
    public async Task<WsMessage?> WaitForCloseAsync()
    {
        try
        {
            while (true)
            {
                var frame = await ReceiveAsync();
                if (frame.Type == WebSocketMessageType.Close)
                {
                    return frame;
                }
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    public Task SendTextAsync(string text, bool endOfMessage = true) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, CancellationToken.None).DefaultTimeout();

    public void Dispose()
    {
        Socket.Abort();
        Socket.Dispose();
    }
}

internal sealed record WsMessage(WebSocketMessageType Type, string Text, WebSocketCloseStatus? CloseStatus, string? CloseDescription);

/// <summary>
/// A parsed persistent response (§6). <see cref="M"/> holds each message as its raw JSON text, except that JSON strings
/// are unquoted (like the .NET client's <c>Received</c>), so tests can compare with what was sent.
/// </summary>
internal sealed record Envelope(string? C, int? S, int? T, string? G, int? L, IReadOnlyList<string> M, IReadOnlyList<string> RawM, IReadOnlyList<string> Keys, string Json)
{
    /// <summary>A cursor: printable ASCII that needs no escaping inside a JSON string (P15).</summary>
    public const string CursorPattern = @"[!#-\[\]-~]+";

    public static Envelope? TryParse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("M", out var m) || m.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var keys = root.EnumerateObject().Select(p => p.Name).ToList();
            var values = m.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList();
            var raw = m.EnumerateArray().Select(v => v.GetRawText()).ToList();
            return new Envelope(
                root.TryGetProperty("C", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
                IntOf(root, "S"),
                IntOf(root, "T"),
                root.TryGetProperty("G", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null,
                IntOf(root, "L"),
                values,
                raw,
                keys,
                json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? IntOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;
}

/// <summary>Shared expectations of the conformance tests.</summary>
internal static class Expect
{
    public const string JsonContentType = "application/json; charset=UTF-8";

    public const string LowercaseGuidPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    /// <summary>The init message, exact: <c>{"C":"cursor","S":1,"M":[]}</c> (V8, V9).</summary>
    public static readonly Regex InitMessage = new("^\\{\"C\":\"" + Envelope.CursorPattern + "\",\"S\":1,\"M\":\\[\\]\\}$");

    /// <summary>Asserts a 200 long-polling response whose body (after keep-alive spaces) is exactly <c>{"C":"cursor","M":[raw]}</c>.</summary>
    public static void Data(LongPollResult result, string rawMessages, bool allowKeepAliveSpaces = true)
    {
        Assert.True(result.Status == HttpStatusCode.OK, $"expected 200 with M [{rawMessages}], got {result}");
        string body = allowKeepAliveSpaces ? result.Body.TrimStart(' ') : result.Body;
        Assert.Matches(DataMessage(rawMessages), body);
    }

    /// <summary>A data response with exactly the given raw M contents: <c>{"C":"cursor","M":[...]}</c>.</summary>
    public static Regex DataMessage(string rawMessages) => new("^\\{\"C\":\"" + Envelope.CursorPattern + "\",\"M\":\\[" + Regex.Escape(rawMessages) + "\\]\\}$");

    /// <summary>Sends from outside the connection, through <see cref="IPersistentConnectionContext{TConnection}"/>.</summary>
    public static Task ServerSend<TConnection>(TestServer server, string connectionId, object? value)
        where TConnection : PersistentConnection =>
        server.Services.GetRequiredService<IPersistentConnectionContext<TConnection>>().Connection.Send(connectionId, value).DefaultTimeout();

    public static void NoSniff(Reply reply) => Assert.True(reply.NoSniff, $"X-Content-Type-Options: nosniff missing on: {reply}");

    /// <summary>The tiny auth used by the tests: <see cref="ProtocolClient.UserHeader"/> becomes an authenticated user.</summary>
    public static void UseHeaderUser(WebApplication app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(ProtocolClient.UserHeader, out var user) && !string.IsNullOrEmpty(user))
            {
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.ToString())], "Test");
                context.User = new ClaimsPrincipal(identity);
            }

            return next(context);
        });
}
