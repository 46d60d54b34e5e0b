using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Serialization;

namespace Tether.Client.Tests;

/// <summary>AsObservable() with System.Reactive operators, the typed variants, and ReadAllAsync().</summary>
public sealed class ObservableTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task RxOperators_WhereSelectBufferTake(string transport)
    {
        await using var connection = new Connection(_server.Url("/echo"));
        Task<IList<int>> evens = connection.AsObservable()
            .Where(m => m.StartsWith('n'))
            .Select(m => int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture))
            .Where(n => n % 2 == 0)
            .Take(5)
            .ToList()
            .ToTask();
        Task<IList<IList<string>>> pairs = connection.AsObservable().Buffer(2).Take(2).ToList().ToTask();

        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        for (int i = 0; i < 12; i++)
        {
            await connection.Send("n" + i).DefaultTimeout();
        }

        Assert.Equal([0, 2, 4, 6, 8], await evens.DefaultTimeout());
        var buffered = await pairs.DefaultTimeout();
        Assert.Equal(["n0", "n1"], buffered[0]);
        Assert.Equal(["n2", "n3"], buffered[1]);
    }

    [Fact]
    public async Task Observable_CompletesOnStop_AndFailsOnGiveUp()
    {
        var connection = new Connection(_server.Url("/echo"));
        Task<IList<string>> all = connection.AsObservable().ToList().ToTask();
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();
        await connection.Send("a").DefaultTimeout();
        await connection.Send("b").DefaultTimeout();
        var probe = new Probe(connection);
        await connection.Send("c").DefaultTimeout();
        await probe.UntilMessage("c").DefaultTimeout();
        await connection.StopAsync().DefaultTimeout();
        Assert.Equal(["a", "b", "c"], await all.DefaultTimeout());

        // A start that fails ends a waiting subscription with the failure.
        var failing = new Connection(_server.Url("/nowhere"));
        Task<IList<string>> none = failing.AsObservable().ToList().ToTask();
        await Assert.ThrowsAsync<HttpClientException>(() => failing.Start()).DefaultTimeout();
        await Assert.ThrowsAsync<HttpClientException>(() => none).DefaultTimeout();
    }

    [Fact]
    public async Task TypedObservables_OptionsSourceGenAndSelector()
    {
        await using var connection = new Connection(_server.Url("/echo"));
        Task<Point> viaOptions = connection.AsObservable<Point>().FirstAsync().ToTask();
        Task<Point> viaTypeInfo = connection.AsObservable(PointContext.Default.Point).FirstAsync().ToTask();
        Task<int> viaSelector = connection.AsObservable(s => s.Length).FirstAsync().ToTask();
        await connection.Start(Transports.Create(Transports.WebSockets)).DefaultTimeout();

        await _server.EchoContext().Connection.Send(connection.ConnectionId!, new Point { X = 3, Y = 4 });
        Assert.Equal(new Point { X = 3, Y = 4 }, await viaOptions.DefaultTimeout());
        Assert.Equal(new Point { X = 3, Y = 4 }, await viaTypeInfo.DefaultTimeout());
        Assert.True(await viaSelector.DefaultTimeout() > 10);

        // Sending typed values: with options, and with source-generated type info.
        var probe = new Probe(connection);
        await connection.SendAsync(new Point { X = 1, Y = 2 }).DefaultTimeout();
        await connection.SendAsync(new Point { X = 5, Y = 6 }, PointContext.Default.Point).DefaultTimeout();
        await connection.SendAsync<string>("plain").DefaultTimeout();
        await probe.UntilMessages(3).DefaultTimeout();
        Assert.Equal(new Point { X = 1, Y = 2 }, connection.JsonDeserializeObject<Point>(probe.Messages[0]));
        Assert.Equal(new Point { X = 5, Y = 6 }, connection.JsonDeserializeObject<Point>(probe.Messages[1]));
        Assert.Equal("plain", probe.Messages[2]);
        Assert.Equal("{\"X\":1,\"Y\":2}", connection.JsonSerializeObject(new Point { X = 1, Y = 2 }));
    }

    [Theory]
    [MemberData(nameof(Transports.Each), MemberType = typeof(Transports))]
    public async Task ReadAllAsync_YieldsMessagesUntilClosed(string transport)
    {
        var connection = new Connection(_server.Url("/echo"));
        await connection.Start(Transports.Create(transport)).DefaultTimeout();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            var list = new List<string>();
            var enumerator = connection.ReadAllAsync().GetAsyncEnumerator();
            var first = enumerator.MoveNextAsync();
            subscribed.TrySetResult();
            if (await first)
            {
                list.Add(enumerator.Current);
                while (await enumerator.MoveNextAsync())
                {
                    list.Add(enumerator.Current);
                }
            }

            await enumerator.DisposeAsync();
            return list;
        });
        await subscribed.Task.DefaultTimeout();
        var probe = new Probe(connection);
        foreach (string m in new[] { "r1", "r2", "r3" })
        {
            await connection.Send(m).DefaultTimeout();
        }

        await probe.UntilMessages(3).DefaultTimeout();
        await connection.StopAsync().DefaultTimeout();
        Assert.Equal(["r1", "r2", "r3"], await reader.DefaultTimeout());

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (string _ in connection.ReadAllAsync(cts.Token))
            {
            }
        }).DefaultTimeout();
    }

    public sealed record Point
    {
        public int X { get; init; }

        public int Y { get; init; }
    }
}

[JsonSerializable(typeof(ObservableTests.Point))]
internal sealed partial class PointContext : JsonSerializerContext
{
}
