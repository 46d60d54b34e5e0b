using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Tether.Server.Internal;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hostile;

/// <summary>A bus that is unavailable (here: application code that gets the bus's exception) gives 503 and Retry-After, never 500.</summary>
public sealed class BusUnavailableTests
{
    [Theory]
    [InlineData("down", 8)]
    [InlineData("wrapped", 5)]
    public async Task Send_WhenTheBusIsUnavailable_Is503WithRetryAfter(string data, int retryAfter)
    {
        var logs = new LogCollector();
        await using var server = await StartAsync(logs);
        using var client = new ProtocolClient(server, "/unavailable");
        await client.NegotiateOrFailAsync();

        using var request = client.Request(HttpMethod.Post, client.Url("send", ProtocolClient.LongPolling), ProtocolClient.JsFormBody("data=" + data));
        using var response = await client.Http.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(retryAfter), response.Headers.RetryAfter?.Delta);
        Assert.Equal(RequestFaultHandler.Unavailable(retryAfter), await response.Content.ReadAsStringAsync());
        Assert.Single(logs.Entries, e => e.Id.Name == "BusUnavailable" && e.Level == LogLevel.Warning);
        logs.AssertNoErrors();
    }

    [Fact]
    public async Task Negotiate_WhenTheBusIsUnavailable_Is503()
    {
        var logs = new LogCollector();
        await using var server = await StartAsync(logs);
        using var client = new ProtocolClient(server, "/unavailable");

        var reply = await client.NegotiateAsync("clientProtocol=2.1&failAuth=1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
        Assert.Equal(RequestFaultHandler.Unavailable(8), reply.Body);
        logs.AssertNoErrors();
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.2, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.001, 2)]
    [InlineData(1e12, int.MaxValue)]
    public void RetryAfter_IsWholeSecondsRoundedUp_AtLeastOne(double seconds, int expected) =>
        Assert.Equal(expected, RequestFaultHandler.RetryAfterSeconds(TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds - 1))));

    private static Task<TestServer> StartAsync(LogCollector logs) =>
        TestServer.StartAsync(configureServices: logs.AddTo, configureApp: app => app.MapPersistentConnection<UnavailableConnection>("/unavailable"));
}
