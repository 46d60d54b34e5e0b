using System.Text;
using BenchmarkDotNet.Attributes;
using Tether.Server.Internal;
using Tether.Server.Messaging;

namespace Tether.Benchmarks.Micro;

/// <summary>The server writing one persistent response (the envelope around already serialized messages).</summary>
[MemoryDiagnoser]
public class ResponseWritingBenchmarks : IDisposable
{
    private readonly PooledBufferWriter _output = new(4096);
    private Message[] _messages = [];

    [Params(1, 10)]
    public int MessageCount { get; set; }

    [Params(32, 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] payload = Encoding.UTF8.GetBytes("\"" + new string('x', PayloadBytes - 2) + "\"");
        _messages = Enumerable.Range(0, MessageCount).Select(_ => new Message("c-topic", payload)).ToArray();
    }

    [Benchmark]
    public int WritePersistentResponse()
    {
        _output.Reset();
        PersistentResponseWriter.Write(_output, new PersistentResponseHeader("d-1F4A|3,2A|7,9"), _messages, "b0c0ffee-0000-4000-8000-000000000000");
        return _output.WrittenMemory.Length;
    }

    public void Dispose()
    {
        _output.Dispose();
        GC.SuppressFinalize(this);
    }
}
