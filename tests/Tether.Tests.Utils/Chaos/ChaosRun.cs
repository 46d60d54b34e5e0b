using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server;

namespace Tether.Tests.Utils.Chaos;

/// <summary>
/// One seeded chaos run: a real Tether.Server behind a <see cref="FaultProxy"/>, a few clients connected through it, the
/// server sending each a numbered stream (<c>s0, s1, ...</c>) while each client sends its own (<c>c0, c1, ...</c>), and
/// <see cref="ChaosFaults"/> breaking links meanwhile. Then the faults stop, each client receives a final <c>end</c>,
/// stops, and the report compares what arrived with what was sent, and counts the lifecycle events.
/// </summary>
public static class ChaosRun
{
    /// <summary>The path of <see cref="ChaosConnection"/> on the run's server.</summary>
    public const string Path = "/chaos";

    private const string ServerPrefix = "s";
    private const string EndMarker = "end";

    /// <summary>Server options for chaos: keep-alive timeout 2 s, so a long stall forces reconnects; clients may stay away 8 s.</summary>
    public static void Timeouts(PersistentConnectionOptions options)
    {
        options.DisconnectTimeout = TimeSpan.FromSeconds(8);
        options.KeepAlive = TimeSpan.FromSeconds(1);
    }

    /// <summary>Runs the chaos, with clients started by <paramref name="startClient"/> from the endpoint's URL.</summary>
    public static async Task<ChaosReport> RunAsync(ChaosOptions options, Func<string, Task<IChaosClient>> startClient)
    {
        await using var server = await TestServer.StartAsync(
            Timeouts,
            services => services.AddSingleton<ChaosLog>(),
            app => app.MapPersistentConnection<ChaosConnection>(Path));
        var log = server.Services.GetRequiredService<ChaosLog>();
        var context = server.Services.GetRequiredService<IPersistentConnectionContext<ChaosConnection>>();
        await using var proxy = FaultProxy.Start(server.BaseUri);

        List<IChaosClient> clients = [];
        try
        {
            for (int i = 0; i < options.Connections; i++)
            {
                clients.Add(await startClient(proxy.Url(Path)).DefaultTimeout());
            }

            var watch = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var streams = clients.Select(c => new Streams(c, context.Connection, options, stop.Token)).ToList();
            var faults = await new ChaosFaults(proxy, options).RunAsync();
            stop.Cancel();
            await Task.WhenAll(streams.Select(s => s.Completion)).DefaultTimeout();

            // Everything sent must now arrive: the end marker comes after the whole numbered stream.
            foreach (var client in clients)
            {
                await context.Connection.Send(client.ConnectionId, EndMarker).DefaultTimeout();
            }

            await Task.WhenAll(clients.Select(c => Ended(c))).DefaultTimeout();
            var duration = watch.Elapsed;

            // No connection may have been disconnected by the chaos itself: each ends only by the stop below.
            var disconnectedEarly = clients.Select(c => log.Get(c.ConnectionId).Disconnected).ToList();
            foreach (var client in clients)
            {
                await client.StopAsync().DefaultTimeout();
            }

            await Task.WhenAll(clients.Select(c => log.WhenDisconnected(c.ConnectionId))).DefaultTimeout();
            return new ChaosReport(options, faults, duration, [.. streams.Select((s, i) => s.Result(log.Get(s.Client.ConnectionId), disconnectedEarly[i]))]);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task Ended(IChaosClient client)
    {
        var ended = client.WaitForMessage(EndMarker);
        try
        {
            await ended.DefaultTimeout();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"connection {client.ConnectionId} never received the end marker; gave up: {client.GaveUp}\n{client.Describe()}");
        }
    }

    /// <summary>The two numbered streams of one connection, until the run stops them.</summary>
    private sealed class Streams
    {
        private readonly ChaosOptions _options;
        private readonly List<int> _acknowledged = [];
        private int _serverSent;
        private int _failedSends;

        public Streams(IChaosClient client, IConnection connection, ChaosOptions options, CancellationToken stop)
        {
            Client = client;
            _options = options;
            Completion = Task.WhenAll(Task.Run(() => ServerLoop(connection, stop)), Task.Run(() => ClientLoop(stop)));
        }

        public IChaosClient Client { get; }

        public Task Completion { get; }

        public ChaosConnectionResult Result(ChaosConnectionRecord server, int disconnectedBeforeStop)
        {
            var received = Client.Received
                .Where(m => m.StartsWith(ServerPrefix, StringComparison.Ordinal))
                .Select(m => int.Parse(m.AsSpan(ServerPrefix.Length), System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            return new ChaosConnectionResult(
                Client.ConnectionId,
                SequenceCheck.Of(received, Enumerable.Range(0, _serverSent)),
                SequenceCheck.Of(server.Received, _acknowledged),
                _failedSends,
                Client.Reconnects,
                Client.GaveUp,
                server,
                disconnectedBeforeStop,
                Client.Describe());
        }

        private async Task ServerLoop(IConnection connection, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                await connection.Send(Client.ConnectionId, ServerPrefix + _serverSent);
                _serverSent++;
                await Pause(_options.ServerInterval, stop);
            }
        }

        private async Task ClientLoop(CancellationToken stop)
        {
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    // Bounded, so a send stuck behind a fault cannot hold the run; it then counts as failed.
                    await Client.SendAsync(ChaosConnection.ClientPrefix + n).WaitAsync(TimeSpan.FromSeconds(20));
                    _acknowledged.Add(n);
                }
                catch (Exception)
                {
                    _failedSends++;
                }

                await Pause(_options.ClientInterval, stop);
            }
        }

        private static async Task Pause(TimeSpan interval, CancellationToken stop)
        {
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }
    }
}
