using System.Net;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Transports;

/// <summary>
/// After <c>/start</c> a WebSocket client sends nothing more over HTTP, so the server closes that keep-alive connection
/// (an idle connection then holds only its socket); the HTTP transports keep theirs for their sends and polls.
/// </summary>
public sealed class StartConnectionCloseTests
{
    [Theory]
    [InlineData(ProtocolClient.WebSockets, true)]
    [InlineData(ProtocolClient.ServerSentEvents, false)]
    [InlineData(ProtocolClient.LongPolling, false)]
    public async Task Start_ClosesTheKeepAliveConnection_OnlyForWebSockets(string transport, bool closes)
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();

        var start = await client.StartAsync(transport);

        Assert.Equal(HttpStatusCode.OK, start.Status);
        Assert.Equal("{ \"Response\": \"started\" }", start.Body);
        Assert.Equal(closes, start.ClosesConnection);
    }

    [Fact]
    public async Task AfterAClosingStart_TheClientsNextRequest_IsServedOnANewConnection()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new ProtocolClient(server);
        await client.NegotiateOrFailAsync();
        Assert.True((await client.StartAsync(ProtocolClient.WebSockets)).ClosesConnection);

        var abort = await client.AbortAsync(ProtocolClient.WebSockets);

        Assert.Equal(HttpStatusCode.OK, abort.Status);
        Assert.False(abort.ClosesConnection);
    }
}
