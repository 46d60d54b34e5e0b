using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Tether.Redis.Tests;

/// <summary>Three <c>tether serve --redis</c> processes, started at once, form one cluster.</summary>
public sealed class ProcessClusterTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ThreeTetherServeProcessesActAsOne()
    {
        // Started together on an empty Redis: they also race to create the shared Data Protection key ring.
        var starting = Enumerable.Range(0, 3).Select(_ => TetherProcess.StartAsync("--redis", redis.Server.Configuration)).ToArray();
        var nodes = new List<TetherProcess>();
        var clients = new List<OfficialClient>();
        try
        {
            foreach (var start in starting)
            {
                nodes.Add(await start.DefaultTimeout());
            }

            Assert.Contains("Scale-out: Redis at " + redis.Server.Configuration, nodes[0].Transcript);
            string[] transports = [Transports.WebSockets, Transports.ServerSentEvents, Transports.LongPolling];
            for (int i = 0; i < 3; i++)
            {
                clients.Add(await OfficialClient.StartAsync(nodes[i].Url("/broadcast"), transports[i], output));
            }

            for (int i = 0; i < 3; i++)
            {
                await clients[i].Send($"from process {i}").DefaultTimeout();
                foreach (var client in clients)
                {
                    await client.WaitForMessage($"from process {i}").DefaultTimeout();
                }
            }

            foreach (var client in clients)
            {
                Assert.Equal(["from process 0", "from process 1", "from process 2"], client.Messages);
            }

            // A token negotiated with one process is accepted by the others.
            using var http = new HttpClient();
            string json = await http.GetStringAsync(nodes[0].Url("/echo/negotiate?clientProtocol=2.1")).DefaultTimeout();
            using var negotiation = JsonDocument.Parse(json);
            string token = Uri.EscapeDataString(negotiation.RootElement.GetProperty("ConnectionToken").GetString()!);
            foreach (var node in nodes.Skip(1))
            {
                using var connect = await http.GetAsync(node.Url($"/echo/connect?transport=longPolling&clientProtocol=2.1&connectionToken={token}")).DefaultTimeout();
                Assert.Equal(HttpStatusCode.OK, connect.StatusCode);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            foreach (var node in nodes)
            {
                output.WriteLine(node.Transcript);
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task BadRedisValueIsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TetherProcess.StartAsync("--redis", ",,,")).DefaultTimeout();
        Assert.Contains("--redis must be HOST:PORT", error.Message);
    }
}
