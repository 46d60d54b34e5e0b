using System.Text;
using StackExchange.Redis;
using Tether.Server;
using Tether.Server.Messaging;

namespace Tether.Redis.Tests;

/// <summary><c>AddRedis</c> with the application's own multiplexer: the nodes use it, and leave it open when they stop.</summary>
public sealed class SharedMultiplexerTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task TwoNodesOnTheApplicationsMultiplexer_ActAsOne_AndLeaveItOpen()
    {
        var configuration = ConfigurationOptions.Parse(redis.Server.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        await using var shared = await ConnectionMultiplexer.ConnectAsync(configuration).DefaultTimeout();
        int factoryCalls = 0;

        await using (var cluster = await Cluster.StartAsync(
            redis.Server,
            2,
            configureServices: s => s.AddPersistentConnections().AddRedis(_ =>
            {
                Interlocked.Increment(ref factoryCalls);
                return shared;
            })))
        {
            using var reader = new Collector(cluster.Bus(0), ["t"]);
            await cluster.Bus(1).PublishAsync(new Message("t", Encoding.UTF8.GetBytes("from node 1"))).DefaultTimeout();
            await reader.WaitForCount(1).DefaultTimeout();

            Assert.Equal(["from node 1"], reader.Texts);
            Assert.Equal(2, factoryCalls);
        }

        Assert.True(shared.IsConnected);
        Assert.True(await shared.GetDatabase().PingAsync().DefaultTimeout() >= TimeSpan.Zero);
    }
}
