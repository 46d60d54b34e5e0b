using BenchmarkDotNet.Attributes;
using Tether.Client.Internal;
using Tether.Client.Internal.Transports;

namespace Tether.Benchmarks.Micro;

/// <summary>
/// What Tether.Client builds for each request of its HTTP transports: the URL of a receive request that carries the
/// cursor (Server-Sent Events' reconnect), from the transport's <see cref="TransportUrls"/>; the form body that carries
/// it on long polling; and the form body of a <c>/send</c>.
/// </summary>
[MemoryDiagnoser]
public class ClientHttpBenchmarks
{
    // A Tether.Server connection token and cursor, as long as the real ones.
    private const string Token = "CfDJ8EbCicQefX5MrRhAy9jgP7XSauQCrdbmc46UFYQssbDPl/V8htbWAMnq6Ozdg4p4/E9yXWreURo+ZnTO0uN19rbst0Bxz5o3cRUwsXN0u2ybgzx72zMdZOxFRCv4YzzIQtMA5rMWYIBZXuKVAi35M5Dq7+YP/x5h0KdOzmbd4Z0c";
    private const string Cursor = "d-EF9F40E-1,2|2,0";

    private readonly UrlParts _parts = new("http://127.0.0.1:5000/tether/", "2.1", "serverSentEvents", null, Token, null);
    private TransportUrls _urls = null!;
    private string _payload = string.Empty;

    [Params(32, 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _urls = new TransportUrls(_parts);
        _payload = "\"" + new string('x', PayloadBytes - 2) + "\"";
    }

    [Benchmark]
    public string ReceiveUrl() => _urls.Receive(ReceiveKind.Reconnect, Cursor, null);

    [Benchmark]
    public byte[] PollBody() => FormUrlEncoder.EncodeReceiveBody(Cursor, null)!;

    [Benchmark]
    public byte[] SendBody() => FormUrlEncoder.EncodeSendBody(_payload);
}
