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
        var logs = new LogCollector();
        var counter = new BodyCounter();
        await using var server = await StartAsync(logs, counter);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        // Only the headers go out: the answer cannot wait for the body.
        await using var raw = await RawHttp.ConnectAsync(server);
        await raw.WriteAsync($"POST {client.Url(op, ProtocolClient.LongPolling)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {Limit + 1}\r\n\r\n");
        string response = await raw.ResponseAsync();

        Assert.True(RawHttp.StatusOf(response) == 413, response);
        Assert.Contains(RequestForm.TooLarge(Limit), response, StringComparison.Ordinal);
        Assert.Equal(0, counter.Read);
        logs.AssertNoErrors();
    }

    [Theory]
    [InlineData("send", 1)]
    [InlineData("send", 20)]
    [InlineData("poll", 1)]
    public async Task ChunkedBodyOverLimit_Is413_AndNothingPastTheLimitIsRead(string op, int megabytes)
    {
        var logs = new LogCollector();
        var counter = new BodyCounter();
        await using var server = await StartAsync(logs, counter);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        await using var raw = await RawHttp.ConnectAsync(server);
        await raw.WriteAsync($"POST {client.Url(op, ProtocolClient.LongPolling)} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
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
        output.WriteLine($"{op}: the client wrote {sent} body bytes before the answer; Tether read {counter.Read} (limit {Limit}).");
        Assert.InRange(counter.Read, 0, Limit + 1);
        logs.AssertNoErrors();
    }

    [Fact]
    public async Task BodyOfExactlyTheLimit_IsAccepted()
    {
        await using var server = await StartAsync(new LogCollector(), new BodyCounter());
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        var fits = await client.SendRequestAsync(HttpMethod.Post, client.Url("send", ProtocolClient.LongPolling), ProtocolClient.JsFormBody("data=" + new string('a', Limit - 5)));
        Assert.Equal(System.Net.HttpStatusCode.OK, fits.Status);
    }

    [Fact]
    public async Task SlowBody_IsRequestTimeout_NotAnError()
    {
        var logs = new LogCollector();
        await using var server = await StartAsync(logs, new BodyCounter(), kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(1000, TimeSpan.FromSeconds(2)));
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        await using var raw = await RawHttp.ConnectAsync(server);
        await raw.WriteAsync($"POST {client.Url("send", ProtocolClient.LongPolling)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\ndata=slow");
        string response = await raw.ResponseAsync();

        Assert.True(response.Length == 0 || RawHttp.StatusOf(response) == 408, response);
        logs.AssertNoErrors();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BodyCutShort_IsNotAnError(bool chunked)
    {
        var logs = new LogCollector();
        var counter = new BodyCounter();
        await using var server = await StartAsync(logs, counter);
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        await using (var raw = await RawHttp.ConnectAsync(server))
        {
            string framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: 5000";
            await raw.WriteAsync($"POST {client.Url("send", ProtocolClient.LongPolling)} HTTP/1.1\r\nHost: 127.0.0.1\r\n{framing}\r\n\r\n" + (chunked ? "9\r\ndata=abcd\r\n" : "data=abcd"));
            await counter.FirstRead.Task.DefaultTimeout();
        }

        // The connection is gone: the server's request ends with it, and another request proves the server is fine.
        await counter.Ended.Task.DefaultTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.SendDotNetAsync(ProtocolClient.LongPolling, "after")).Status);
        logs.AssertNoErrors();
    }

    private static Task<TestServer> StartAsync(LogCollector logs, BodyCounter counter, Action<KestrelServerOptions>? kestrel = null) =>
        TestServer.StartAsync(
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

    /// <summary>Counts the body bytes the application reads, from outside Tether.</summary>
    private sealed class BodyCounter
    {
        private long _read;

        public long Read => Interlocked.Read(ref _read);

        public TaskCompletionSource FirstRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Middleware(HttpContext context, RequestDelegate next)
        {
            if (!context.Request.Path.Value!.EndsWith("/send", StringComparison.Ordinal) && !context.Request.Path.Value.EndsWith("/poll", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            context.Request.Body = new CountingStream(context.Request.Body, this);
            try
            {
                await next(context);
            }
            finally
            {
                Ended.TrySetResult();
            }
        }

        private sealed class CountingStream(Stream inner, BodyCounter owner) : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

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
                Interlocked.Add(ref owner._read, read);
                owner.FirstRead.TrySetResult();
                return read;
            }
        }
    }
}
