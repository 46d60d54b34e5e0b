using System.Text;
using BenchmarkDotNet.Attributes;
using Tether.Protocol;

namespace Tether.Benchmarks.Micro;

/// <summary>The client parsing one persistent response (what every received frame, event or poll costs it).</summary>
[MemoryDiagnoser]
public class ResponseParsingBenchmarks
{
    private byte[] _utf8 = [];
    private string _text = string.Empty;

    [Params(1, 10)]
    public int MessageCount { get; set; }

    [Params(32, 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string message = "\"" + new string('x', PayloadBytes - 2) + "\"";
        _text = "{\"C\":\"d-1F4A|3,2A|7,9\",\"M\":[" + string.Join(',', Enumerable.Repeat(message, MessageCount)) + "]}";
        _utf8 = Encoding.UTF8.GetBytes(_text);
    }

    [Benchmark]
    public int ParseUtf8() => PersistentResponse.Parse(_utf8).Messages!.Count;

    [Benchmark]
    public int ParseString() => PersistentResponse.Parse(_text).Messages!.Count;
}
