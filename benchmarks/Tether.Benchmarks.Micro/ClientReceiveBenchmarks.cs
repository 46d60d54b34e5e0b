using System.Text;
using BenchmarkDotNet.Attributes;
using Tether.Client.Internal;
using Tether.Client.Internal.Transports;

namespace Tether.Benchmarks.Micro;

/// <summary>
/// Tether.Client's receive path: a frame parsed into a report on the transport's side and turned into the item the
/// dispatch loop hands to <c>Received</c>; then the dispatch loop itself, the one hop between the transport and user code.
/// </summary>
[MemoryDiagnoser]
public class ClientReceiveBenchmarks
{
    private const int DispatchedPerInvoke = 1000;

    private readonly DispatchItem _message = DispatchItem.FromUtf8("\"hello\""u8.ToArray());
    private byte[] _frame = [];
    private TransportOutput _output = null!;
    private Dispatcher _dispatcher = null!;
    private long _dispatched;

    [Params(32, 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = Encoding.UTF8.GetBytes("{\"C\":\"d-1F4A|3,2A|7,9\",\"M\":[\"" + new string('x', PayloadBytes - 2) + "\"]}");
        _output = new TransportOutput(keepText: false);
        _dispatcher = new Dispatcher(_ => _dispatched++, _ => { }, () => TimeSpan.FromSeconds(10), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _dispatcher.Complete();

    /// <summary>One frame: parsed, reported, read back and made into the message's dispatch item.</summary>
    [Benchmark]
    public int FrameToDispatchItem()
    {
        _output.Payload(_frame);
        _output.Reader.TryRead(out TransportReport report);
        return DispatchItem.FromUtf8(report.Response!.Utf8Messages![0]).Text!.Length;
    }

    /// <summary>The dispatch loop's cost per message: posted, then run on the loop (amortized over a batch).</summary>
    [Benchmark(OperationsPerInvoke = DispatchedPerInvoke)]
    public async Task DispatchLoop()
    {
        for (int i = 0; i < DispatchedPerInvoke; i++)
        {
            _dispatcher.Post(_message);
        }

        await _dispatcher.WhenProcessedAsync();
    }
}
