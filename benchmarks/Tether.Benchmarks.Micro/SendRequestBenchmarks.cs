using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server;
using Tether.Server.Internal;

namespace Tether.Benchmarks.Micro;

/// <summary>
/// One <c>/send</c> of a Server-Sent Events or long-polling client through the persistent-connection dispatcher, as
/// Kestrel hands it over (query, token, form body), without the network: what the server's own request path costs
/// per message, apart from Kestrel's. <see cref="EmptyContext"/> is the cost of the test's request object alone.
/// </summary>
[MemoryDiagnoser]
public class SendRequestBenchmarks : IDisposable
{
    private ServiceProvider? _services;
    private PersistentConnectionDispatcher<DiscardConnection>? _dispatcher;
    private string _query = string.Empty;
    private byte[] _body = [];

    [Params(32, 1024)]
    public int PayloadBytes { get; set; }

    /// <remarks>Synchronous, as the CI smoke test calls it; the negotiate it awaits completes at once (memory streams only).</remarks>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPersistentConnections();
        _services = services.BuildServiceProvider();
        _dispatcher = _services.GetRequiredService<PersistentConnectionDispatcher<DiscardConnection>>();

        var negotiate = NewContext("/negotiate", "?clientProtocol=2.1", []);
        var response = new MemoryStream();
        negotiate.Response.Body = response;
        await _dispatcher.ProcessRequestAsync(negotiate);
        string token = JsonDocument.Parse(response.ToArray()).RootElement.GetProperty("ConnectionToken").GetString()!;

        _query = "?clientProtocol=2.1&transport=serverSentEvents&connectionData=&connectionToken=" + Uri.EscapeDataString(token);
        string data = "\"" + new string('x', PayloadBytes - 2) + "\"";
        _body = Encoding.UTF8.GetBytes("data=" + Uri.EscapeDataString(data));
    }

    [Benchmark(Baseline = true)]
    public HttpContext EmptyContext() => NewContext("/send", _query, _body);

    [Benchmark]
    public async Task<int> Send()
    {
        var context = NewContext("/send", _query, _body);
        await _dispatcher!.ProcessRequestAsync(context);
        return context.Response.StatusCode;
    }

    public void Dispose()
    {
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    private HttpContext NewContext(string operation, string query, byte[] body)
    {
        var context = new DefaultHttpContext { RequestServices = _services! };
        context.Request.Method = body.Length > 0 ? "POST" : "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1", 5000);
        context.Request.PathBase = "/echo";
        context.Request.Path = operation;
        context.Request.QueryString = new QueryString(query);
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body, writable: false);
        return context;
    }

    /// <summary>A connection that takes every message and sends nothing: only the request path is measured.</summary>
    public sealed class DiscardConnection : PersistentConnection
    {
    }
}
