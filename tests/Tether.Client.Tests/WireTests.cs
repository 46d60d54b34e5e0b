using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tether.Client.Http;
using Tether.Client.Infrastructure;
using Tether.Client.Transports;

namespace Tether.Client.Tests;

/// <summary>What the client puts on the wire, checked on the server side, and every public option.</summary>
public sealed class WireTests : IAsyncLifetime
{
    private readonly RequestRecorder _recorder = new();
    private readonly FakeNegotiate _fake = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(configureApp: app =>
    {
        _recorder.Install(app);
        _fake.Install(app);
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task RequestsMatchTheClassicClient_InOrderAndShape(string transport)
    {
        var connection = new Connection(_server.Url("/echo"), new Dictionary<string, string> { ["a"] = "1", ["b"] = "x y" });
        Assert.Equal("a=1&b=x y", connection.QueryString);
        Assert.Equal(_server.Url("/echo") + "/", connection.Url);
        connection.Headers["X-Custom"] = "custom";
        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        await connection.Send("hi there+&=").DefaultTimeout();
        var probe = new Probe(connection);
        await connection.Send("x").DefaultTimeout();
        await probe.UntilMessage("x").DefaultTimeout();
        connection.Stop();

        var requests = _recorder.For("/echo");
        Assert.All(requests, r => Assert.Equal("custom", r.Header("X-Custom")));
        Assert.All(requests, r => Assert.StartsWith("?clientProtocol=2.1&", r.Query, StringComparison.Ordinal));
        Assert.All(requests, r => Assert.Contains("&a=1&b=x%20y", r.Query, StringComparison.Ordinal));
        Assert.All(requests.Where(r => !r.IsWebSocket), r => Assert.StartsWith("SignalR.Client.NetStandard/2.4.2.0 ", r.Header("User-Agent"), StringComparison.Ordinal));

        var negotiate = requests[0];
        Assert.Equal(("GET", "negotiate"), (negotiate.Method, negotiate.Operation));
        Assert.DoesNotContain("transport=", negotiate.Query, StringComparison.Ordinal);
        var connect = requests[1];
        Assert.Equal("connect", connect.Operation);
        Assert.StartsWith($"?clientProtocol=2.1&transport={transport}&connectionToken=", connect.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("messageId=", connect.Query, StringComparison.Ordinal);
        var start = requests.First(r => r.Operation == "start");
        Assert.Equal("GET", start.Method);
        var abort = requests.Last(r => r.Operation == "abort");
        Assert.Equal("POST", abort.Method);
        Assert.Equal("text/plain; charset=utf-8", abort.Header("Content-Type"));

        switch (transport)
        {
            case Transports.WebSockets:
                Assert.True(connect.IsWebSocket);
                Assert.DoesNotContain(requests, r => r.Operation == "send");
                break;
            case Transports.ServerSentEvents:
                Assert.Equal(("GET", "text/event-stream"), (connect.Method, connect.Header("Accept")));
                break;
            case Transports.LongPolling:
                Assert.Equal("POST", connect.Method);
                var poll = requests.First(r => r.Operation == "poll");
                Assert.Equal("POST", poll.Method);
                // As the JavaScript client: the cursor travels in the poll's form body (LongPollingFormTests).
                Assert.DoesNotContain("messageId=", poll.Query, StringComparison.Ordinal);
                Assert.Equal("application/x-www-form-urlencoded; charset=UTF-8", poll.Header("Content-Type"));
                break;
        }

        if (transport != Transports.WebSockets)
        {
            var send = requests.First(r => r.Operation == "send");
            Assert.Equal("POST", send.Method);
            Assert.Equal("application/x-www-form-urlencoded", send.Header("Content-Type"));
        }
    }

    [Fact]
    public async Task TokenAndHeaderProviders_CookiesAndHandlerFactory_ReachEveryRequest()
    {
        int handlerRequests = 0;
        var cookies = new CookieContainer();
        cookies.Add(_server.BaseUri, new Cookie("session", "s1"));
        var connection = new Connection(_server.Url("/echo"))
        {
            AccessTokenProvider = () => Task.FromResult<string?>("tok"),
            HeadersProvider = () => Task.FromResult<IDictionary<string, string>?>(new Dictionary<string, string> { ["X-Per-Request"] = "yes" }),
            CookieContainer = cookies,
            Credentials = new NetworkCredential("user", "pass"),
            HttpMessageHandlerFactory = inner => new CountingHandler(inner, () => Interlocked.Increment(ref handlerRequests)),
        };
        Assert.NotNull(connection.Credentials);
        Assert.Same(cookies, connection.CookieContainer);
        foreach (string transport in new[] { Transports.WebSockets, Transports.LongPolling })
        {
            await connection.Start(Transports.Create(transport)).DefaultTimeout();
            connection.Stop();
        }

        var requests = _recorder.For("/echo");
        Assert.Contains(requests, r => r.IsWebSocket);
        Assert.All(requests, r => Assert.Equal("Bearer tok", r.Header("Authorization")));
        Assert.All(requests, r => Assert.Equal("yes", r.Header("X-Per-Request")));
        Assert.All(requests, r => Assert.Contains("session=s1", r.Header("Cookie"), StringComparison.Ordinal));
        Assert.Equal(requests.Count(r => !r.IsWebSocket), Volatile.Read(ref handlerRequests));
    }

    [Fact]
    public async Task OnSendingAndProtocol_GoIntoEveryUrl()
    {
        var connection = new DataConnection(_server.Url("/echo")) { Protocol = new Version(2, 0) };
        await connection.Start(Transports.Create(Transports.LongPolling)).DefaultTimeout();
        connection.Stop();
        Assert.All(_recorder.For("/echo"), r => Assert.StartsWith("?clientProtocol=2.0&", r.Query, StringComparison.Ordinal));
        Assert.All(_recorder.For("/echo"), r => Assert.Contains("connectionData=", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task NegotiateRedirect_FollowsUrlQueryAndAccessToken()
    {
        _fake.Answer = () => $"{{\"ProtocolVersion\":\"2.0\",\"RedirectUrl\":\"{_server.Url("/echo")}?hub=chat\",\"AccessToken\":\"t1\"}}";
        var connection = new Connection(_server.Url("/fake"));
        await connection.Start(Transports.Create(Transports.ServerSentEvents)).DefaultTimeout();
        await connection.Send("redirected").DefaultTimeout();
        connection.Stop();

        var echo = _recorder.For("/echo");
        Assert.Equal("?clientProtocol=2.1&hub=chat", echo[0].Query);
        Assert.All(echo, r => Assert.Equal("Bearer t1", r.Header("Authorization")));
        Assert.All(echo, r => Assert.Contains("hub=chat", r.Query, StringComparison.Ordinal));
        Assert.Equal("Bearer t1", connection.Headers["Authorization"]);
        Assert.Equal(_server.Url("/fake") + "/", connection.Url);
    }

    [Theory]
    [InlineData("{\"ProtocolVersion\":\"2.0\",\"Error\":\"boom\"}", "Error message received from the server: 'boom'.")]
    [InlineData("{\"connectionId\":\"x\",\"availableTransports\":[]}", "Detected a connection attempt to an ASP.NET Core SignalR Server.")]
    [InlineData("{\"ProtocolVersion\":\"1.3\",\"ConnectionToken\":\"t\"}", "Client version 2.1, server version 1.3.")]
    [InlineData("{\"ProtocolVersion\":\"2.2\",\"ConnectionToken\":\"t\"}", "Client version 2.1, server version 2.2.")]
    [InlineData("", "Server negotiation failed.")]
    [InlineData("LOOP", "Negotiate redirection limit exceeded.")]
    public async Task NegotiateFailures_FailTheStartWithTheClassicMessages(string answer, string message)
    {
        _fake.Answer = () => answer == "LOOP" ? $"{{\"ProtocolVersion\":\"2.0\",\"RedirectUrl\":\"{_server.Url("/fake")}\"}}" : answer;
        var connection = new Connection(_server.Url("/fake"));
        var probe = new Probe(connection);
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => connection.Start()).DefaultTimeout();
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(["state:Disconnected->Connecting", "state:Connecting->Disconnected", "closed"], probe.Events);
    }

    [Fact]
    public async Task AutoTransport_FallsBackWhenTheInitMessageDoesNotCome()
    {
        await using var server = await TestServer.StartAsync(
            o => o.TransportConnectTimeout = TimeSpan.FromSeconds(1),
            configureApp: app => app.Use(async (HttpContext ctx, Func<Task> next) =>
            {
                string transport = ctx.Request.Query["transport"].ToString();
                if (ctx.Request.Path.Value!.EndsWith("/connect", StringComparison.Ordinal) && transport == "webSockets")
                {
                    ctx.Response.StatusCode = 404;
                    return;
                }

                if (ctx.Request.Path.Value!.EndsWith("/connect", StringComparison.Ordinal) && transport == "serverSentEvents")
                {
                    // Headers but never the init message: the client must give up after the connect timeout.
                    ctx.Response.ContentType = "text/event-stream";
                    await ctx.Response.Body.FlushAsync();
                    await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
                    return;
                }

                await next();
            }));
        var connection = new Connection(server.Url("/echo")) { TransportConnectTimeout = TimeSpan.FromMilliseconds(500) };
        var auto = new AutoTransport(new DefaultHttpClient());
        Assert.Equal("auto", auto.Name);
        Assert.Equal(3, auto.Transports.Count);
        await connection.Start(auto).DefaultTimeout();
        Assert.Equal(Transports.LongPolling, connection.Transport!.Name);
        Assert.Same(auto, connection.Transport);
        Assert.False(auto.SupportsKeepAlive);
        await connection.StopAsync().DefaultTimeout();
    }

    [Fact]
    public async Task AutoTransport_SkipsWebSocketsWhenTheServerSaysSo_AndAFailedStartDoesNotFallBack()
    {
        var recorder = new RequestRecorder();
        bool failStart = false;
        await using var server = await TestServer.StartAsync(
            o => o.Transports = Server.PersistentConnectionTransports.ServerSentEvents | Server.PersistentConnectionTransports.LongPolling,
            configureApp: app =>
            {
                recorder.Install(app);
                app.Use(async (HttpContext ctx, Func<Task> next) =>
                {
                    if (failStart && ctx.Request.Path.Value!.EndsWith("/start", StringComparison.Ordinal))
                    {
                        ctx.Response.StatusCode = 500;
                        return;
                    }

                    await next();
                });
            });
        var connection = new Connection(server.Url("/echo"));
        await connection.Start().DefaultTimeout();
        Assert.Equal(Transports.ServerSentEvents, connection.Transport!.Name);
        Assert.DoesNotContain(recorder.Requests, r => r.IsWebSocket);
        connection.Stop();

        failStart = true;
        await Assert.ThrowsAsync<StartException>(() => connection.Start(new AutoTransport(new DefaultHttpClient()))).DefaultTimeout();
        var connects = recorder.Requests.Where(r => r.Operation == "connect").ToList();
        Assert.Equal(2, connects.Count);
        Assert.All(connects, c => Assert.Contains("transport=serverSentEvents", c.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_AbortIsBoundedInTime_AndClosedIsRaisedOnce()
    {
        await using var server = await TestServer.StartAsync(configureApp: app => app.Use(async (HttpContext ctx, Func<Task> next) =>
        {
            if (ctx.Request.Path.Value!.EndsWith("/abort", StringComparison.Ordinal))
            {
                // A server that never answers the abort.
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
                return;
            }

            await next();
        }));
        var connection = new Connection(server.Url("/echo"));
        var probe = new Probe(connection);
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        connection.Stop(TimeSpan.FromMilliseconds(300));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Stop took {watch.Elapsed}.");
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        connection.Stop();
        Assert.Equal(1, probe.Count("closed"));
    }

    [Fact]
    public async Task MembersAndGuards()
    {
        Assert.Throws<ArgumentException>(() => new Connection("http://h/echo?x=1"));
        Assert.Throws<ArgumentNullException>(() => new Connection(null!));
        var connection = new Connection(_server.Url("/echo"), "q=1");
        Assert.Equal("q=1", connection.QueryString);
        Assert.IsType<InvalidOperationException>(Sync.Catch(() => { connection.Send("x"); }));
        Assert.Equal(new Version(2, 1), connection.Protocol);
        Assert.Equal(TimeSpan.Zero, connection.TransportConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), connection.DeadlockErrorTimeout);
        Assert.Equal(TraceLevels.All, connection.TraceLevel);
        Assert.Null(connection.KeepAliveData);
        Assert.Null(connection.LastError);
        Assert.Null(connection.Proxy);
        Assert.Null(connection.RetryPolicy);
        Assert.Equal(1000, connection.SendQueueLimit);
        Assert.Same(TimeProvider.System, connection.TimeProvider);
        Assert.NotNull(connection.JsonSerializerOptions);
        Assert.NotNull(connection.LoggerFactory);
        Assert.Null(connection.ServerCertificateValidationCallback);

        connection.Items["Key"] = 42;
        Assert.Equal(42, connection.GetValue<int>("key"));
        Assert.Equal(0, connection.GetValue<int>("missing"));
        connection.ConnectionId = "a";
        Assert.Equal("a", connection.ClientId);
        connection.ClientId = "b";
        Assert.Equal("b", connection.ConnectionId);
        connection.MessageId = "m";
        connection.GroupsToken = "g";
        connection.ConnectionToken = "t";
        Assert.Equal(("m", "g", "t"), (connection.MessageId, connection.GroupsToken, connection.ConnectionToken));
        connection.ConnectionToken = null;
        connection.MessageId = null;
        connection.GroupsToken = null;

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=client", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        connection.AddClientCertificate(certificate);
        Assert.Single(connection.Certificates);

        var trace = new StringWriter();
        var logs = new ListLoggerFactory();
        connection.TraceWriter = trace;
        connection.TraceLevel = TraceLevels.Events | TraceLevels.StateChanges;
        connection.LoggerFactory = logs;
        var proxyUri = new Uri("http://127.0.0.1:1/");
        connection.Proxy = new WebProxy(proxyUri) { BypassProxyOnLocal = true, BypassList = [".*"] };
        var startTask = connection.Start(Transports.Create(Transports.ServerSentEvents));
        Assert.Same(startTask, connection.Start());
        await startTask.DefaultTimeout();
        Assert.Throws<InvalidOperationException>(() => connection.AddClientCertificate(certificate));
        connection.Trace(TraceLevels.Events, "custom {0}", 7);
        connection.Trace(TraceLevels.Messages, "filtered out");
        await connection.StopAsync().DefaultTimeout();

        string traced = trace.ToString();
        Assert.Contains("custom 7", traced, StringComparison.Ordinal);
        Assert.Contains("ChangeState(Connecting, Connected)", traced, StringComparison.Ordinal);
        Assert.DoesNotContain("filtered out", traced, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventName == "Started" && e.Category == "Tether.Client.Connection");
        Assert.Contains(logs.Entries, e => e.Category.StartsWith("Tether.Client.Transports.", StringComparison.Ordinal));
        Assert.Throws<ArgumentNullException>(() => connection.TraceWriter = null!);
    }

    [Fact]
    public async Task StartCancellation_StartIHttpClient_DisposeAsync()
    {
        var connection = new Connection(_server.Url("/echo"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.StartAsync(cts.Token)).DefaultTimeout();
        Assert.Equal(ConnectionState.Disconnected, connection.State);

        using var http = new DefaultHttpClient();
        await connection.Start(http).DefaultTimeout();
        Assert.Equal(Transports.WebSockets, connection.Transport!.Name);
        await connection.DisposeAsync();
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.IsType<ObjectDisposedException>(Sync.Catch(() => { connection.Start(); }));
    }

    [Fact]
    public void ServerCertificateCallback_AppliesToHttpAndWebSocket()
    {
        RemoteCertificateValidationCallback callback = (_, _, _, errors) => errors == SslPolicyErrors.None;
        var connection = new Connection("https://localhost/echo") { ServerCertificateValidationCallback = callback };
        var client = new InspectingHttpClient();
        client.Initialize(connection);
        Assert.NotNull(client.LastHandler!.ServerCertificateCustomValidationCallback);
        Assert.True(client.LastHandler.PreAuthenticate);

        using var socket = new ClientWebSocket();
        Internal.WebSocketCertificates.SetValidationCallback(socket.Options, callback);
        Assert.Same(callback, socket.Options.RemoteCertificateValidationCallback);
    }

    [Fact]
    public void CustomTransports_AreRefused()
    {
        var connection = new Connection("http://h/echo");
        Assert.IsType<ArgumentException>(Sync.Catch(() => { connection.Start(new CustomTransport()); }));
        Assert.Throws<ArgumentException>(() => new AutoTransport(new DefaultHttpClient(), [new CustomTransport()]));
        using var ws = new WebSocketTransport(new DefaultHttpClient());
        Assert.True(ws.SupportsKeepAlive);
        Assert.Equal(TimeSpan.FromSeconds(2), ws.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), new ServerSentEventsTransport().ReconnectDelay);
        var lp = new LongPollingTransport();
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)), (lp.ReconnectDelay, lp.ErrorDelay));
        Assert.NotNull(lp.HttpClient);
    }

    private sealed class DataConnection(string url) : Connection(url)
    {
        protected override string? OnSending() => "[{\"Name\":\"chat\"}]";
    }

    private sealed class CountingHandler(HttpMessageHandler inner, Action count) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            count();
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class InspectingHttpClient : DefaultHttpClient
    {
        public HttpClientHandler? LastHandler { get; private set; }

        protected override HttpMessageHandler CreateHandler()
        {
            var handler = (HttpClientHandler)base.CreateHandler();
            LastHandler = handler;
            return handler;
        }
    }

    private sealed class CustomTransport : IClientTransport
    {
        public string Name => "custom";

        public bool SupportsKeepAlive => false;

        public void Dispose()
        {
        }
    }

    /// <summary>Answers <c>/fake/negotiate</c> with whatever the test sets.</summary>
    private sealed class FakeNegotiate
    {
        public Func<string> Answer { get; set; } = () => "";

        public void Install(WebApplication app) => app.Use(async (HttpContext ctx, Func<Task> next) =>
        {
            if (ctx.Request.Path.Value == "/fake/negotiate")
            {
                ctx.Response.ContentType = "application/json; charset=UTF-8";
                await ctx.Response.WriteAsync(Answer());
                return;
            }

            await next();
        });
    }
}
