using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Internal;
using Tether.Server.Tests.Conformance;
using Xunit.Abstractions;

namespace Tether.Server.Tests.Hostile;

/// <summary>
/// <c>MaxIncomingSendSize</c> bounds the whole body of <c>/send</c> and of a long poll's form, with or without a
/// Content-Length: 413 comes before anything past the limit is read. Slow, cut or oversized bodies are no errors.
/// </summary>
public sealed class BodyLimitTests(ITestOutputHelper output)
{
    private const int Limit = 64 * 1024;

    [Theory]
    [InlineData("send")]
    [InlineData("poll")]
    public async Task ContentLengthOverLimit_Is413_BeforeTheBody(string op)
    {
        await using var test = await Setup.StartAsync();

        // Only the headers go out: the answer cannot wait for the body.
        await using var raw = await test.PostAsync(op, $"Content-Length: {Limit + 1}");
        string response = await raw.ResponseAsync();

        Assert.True(RawHttp.StatusOf(response) == 413, response);
        Assert.Contains(RequestForm.TooLarge(Limit), response, StringComparison.Ordinal);
        Assert.Equal(0, test.Counter.Read);
        test.Logs.AssertNoErrors();
    }

    [Theory]
    [InlineData("send", 1)]
    [InlineData("send", 20)]
    [InlineData("poll", 1)]
    public async Task ChunkedBodyOverLimit_Is413_AndNothingPastTheLimitIsRead(string op, int megabytes)
    {
        await using var test = await Setup.StartAsync();

        await using var raw = await test.PostAsync(op, "Transfer-Encoding: chunked");

        // Many small values: each is far under the limit, only the whole body is over it.
        string values = string.Concat(Enumerable.Repeat("&k=" + new string('a', 1021), 16));
        byte[] chunk = Encoding.ASCII.GetBytes($"{values.Length:X}\r\n{values}\r\n");
        long sent = 0;
        try
        {
            while (!raw.HasResponse && sent < megabytes * 1024L * 1024)
            {
                await raw.WriteAsync(chunk);
                sent += chunk.Length;
            }
        }
        catch (IOException)
        {
            // The server closed the connection after its answer.
        }

        string response = await raw.ResponseAsync();
        Assert.True(RawHttp.StatusOf(response) == 413, response);
        output.WriteLine($"{op}: the client wrote {sent} body bytes before the answer; Tether read {test.Counter.Read} (limit {Limit}).");
        Assert.InRange(test.Counter.Read, 0, Limit + 1);
        test.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task BodyOfExactlyTheLimit_IsAccepted()
    {
        await using var test = await Setup.StartAsync();
        var fits = await test.Client.SendRequestAsync(HttpMethod.Post, test.Client.Url("send", ProtocolClient.LongPolling), ProtocolClient.JsFormBody("data=" + new string('a', Limit - 5)));
        Assert.Equal(System.Net.HttpStatusCode.OK, fits.Status);
    }

    [Fact]
    public async Task SlowBody_IsRequestTimeout_NotAnError()
    {
        await using var test = await Setup.StartAsync(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(1000, TimeSpan.FromSeconds(2)));
        await using var raw = await test.PostAsync("send", "Content-Length: 1000");
        await raw.WriteAsync("data=slow");
        string response = await raw.ResponseAsync();

        Assert.True(response.Length == 0 || RawHttp.StatusOf(response) == 408, response);
        test.Logs.AssertNoErrors();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BodyCutShort_IsNotAnError(bool chunked)
    {
        await using var test = await Setup.StartAsync();

        await using (var raw = await test.PostAsync("send", chunked ? "Transfer-Encoding: chunked" : "Content-Length: 5000"))
        {
            await raw.WriteAsync(chunked ? "9\r\ndata=abcd\r\n" : "data=abcd");
            await test.Counter.Started.Task.DefaultTimeout();
        }

        // The connection is gone: the server's request ends with it, and another request proves the server is fine.
        await test.Counter.Ended.Task.DefaultTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await test.Client.SendDotNetAsync(ProtocolClient.LongPolling, "after")).Status);
        test.Logs.AssertNoErrors();
    }

    /// <summary>A test server with the limit, a log collector and a body counter, and a negotiated client.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private Setup(TestServer server, LogCollector logs, BodyCounter counter)
        {
            Server = server;
            Logs = logs;
            Counter = counter;
            Client = new ProtocolClient(server);
        }

        public TestServer Server { get; }

        public LogCollector Logs { get; }

        public BodyCounter Counter { get; }

        public ProtocolClient Client { get; }

        public static async Task<Setup> StartAsync(Action<KestrelServerOptions>? kestrel = null)
        {
            var logs = new LogCollector();
            var counter = new BodyCounter();
            var server = await TestServer.StartAsync(
                o => o.MaxIncomingSendSize = Limit,
                services =>
                {
                    logs.AddTo(services);
                    if (kestrel is not null)
                    {
                        services.Configure(kestrel);
                    }
                },
                app => app.Use(counter.Middleware));
            var setup = new Setup(server, logs, counter);
            await setup.Client.NegotiateOrFailAsync();
            return setup;
        }

        /// <summary>Opens a raw connection and sends the head of a long-polling POST to <paramref name="op"/> with one framing header.</summary>
        public async Task<RawHttp> PostAsync(string op, string framing)
        {
            var raw = await RawHttp.ConnectAsync(Server);
            await raw.WriteAsync($"POST {Client.Url(op, ProtocolClient.LongPolling)} HTTP/1.1\r\nHost: 127.0.0.1\r\n{framing}\r\n\r\n");
            return raw;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }

    /// <summary>Counts, from outside Tether, the body bytes the application reads.</summary>
    private sealed class BodyCounter
    {
        private CountingStream? _body;

        public long Read => _body?.Position ?? 0;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Middleware(HttpContext context, RequestDelegate next)
        {
            if (!context.Request.Path.Value!.EndsWith("/send", StringComparison.Ordinal) && !context.Request.Path.Value.EndsWith("/poll", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            _body = new CountingStream(context.Request.Body);
            context.Request.Body = _body;
            Started.TrySetResult();
            try
            {
                await next(context);
            }
            finally
            {
                Ended.TrySetResult();
            }
        }
    }

    /// <summary>A read-only view of a request body that counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Interlocked.Read(ref _read);
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            Interlocked.Add(ref _read, read);
            return read;
        }
    }
}
