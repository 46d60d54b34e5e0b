using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tether.Server;
using Xunit.Abstractions;

namespace Tether.Redis.Tests;

/// <summary>
/// Redis unreachable: negotiate (whose Data Protection key ring lives in Redis), <c>/send</c> (application code whose
/// <c>Connection.Send</c> throws <see cref="RedisBackplaneException"/>) and <c>/abort</c> answer 503 with
/// <c>Retry-After</c>, never 500.
/// </summary>
public sealed class UnavailableTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Negotiate_WhenTheKeyRingCannotBeRead_Is503WithRetryAfter()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await redis.KillAsync();
        await using var node = await StartNodeAsync(redis);
        using var http = new HttpClient { BaseAddress = node.BaseUri };

        var stopwatch = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri("/echo/negotiate?clientProtocol=2.1", UriKind.Relative)).DefaultTimeout();
        output.WriteLine($"[measure] negotiate with Redis down: {(int)response.StatusCode} after {stopwatch.ElapsedMilliseconds} ms");

        AssertUnavailable(response);
    }

    [Fact]
    public async Task SendAndAbort_WhenRedisIsDown_Are503WithRetryAfter()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await using var node = await StartNodeAsync(redis);
        using var http = new HttpClient { BaseAddress = node.BaseUri };
        string token = await NegotiateAsync(http);
        await redis.KillAsync();

        string query = "?clientProtocol=2.1&transport=longPolling&connectionToken=" + Uri.EscapeDataString(token);
        using var send = await http.PostAsync(new Uri("/echo/send" + query, UriKind.Relative), new StringContent("data=hello", Encoding.UTF8, "application/x-www-form-urlencoded")).DefaultTimeout();
        AssertUnavailable(send);

        using var abort = await http.PostAsync(new Uri("/echo/abort" + query, UriKind.Relative), new StringContent(string.Empty)).DefaultTimeout();
        AssertUnavailable(abort);
    }

    private static void AssertUnavailable(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }

    private static async Task<string> NegotiateAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/echo/negotiate?clientProtocol=2.1", UriKind.Relative)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("ConnectionToken").GetString()!;
    }

    private static Task<TestServer> StartNodeAsync(RedisServerFixture redis) =>
        TestServer.StartAsync(configureServices: services => services.AddPersistentConnections().AddRedis(o =>
        {
            o.Configuration = redis.Configuration;
            o.Prefix = "unavailable-" + Guid.NewGuid().ToString("N");
            o.ConfigureRedis = c =>
            {
                c.ConnectTimeout = 1000;
                c.ReconnectRetryPolicy = new LinearRetry(100);
            };
        }));
}
