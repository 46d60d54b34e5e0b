using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Transports;

/// <summary>
/// A connection type whose constructor takes services gets them from the request's scope; one whose constructor takes
/// none is made without touching that scope, and its handlers still find the request's services when they ask for them.
/// </summary>
public sealed class ConnectionServicesTests
{
    [Theory]
    [InlineData("/scoped", "same scope")]
    [InlineData("/plain", "scoped service found")]
    public async Task Handlers_SeeTheRequestsScope(string path, string expected)
    {
        await using var server = await TestServer.StartAsync(
            configureServices: services => services.AddScoped<RequestScopedThing>(),
            configureApp: app =>
            {
                app.MapPersistentConnection<ScopedServicesConnection>("/scoped");
                app.MapPersistentConnection<NoServicesConnection>("/plain");
            });
        using var client = new ProtocolClient(server, path);
        await client.ConnectLongPollingAsync();

        var send = await client.SendDotNetAsync(ProtocolClient.LongPolling, "which");
        var messages = await client.PollUntilAsync(m => m.Count > 0);

        Assert.Equal(HttpStatusCode.OK, send.Status);
        Assert.Equal([expected], messages.SelectMany(r => r.Envelope!.M));
    }

    /// <summary>A scoped service: one instance per request.</summary>
    public sealed class RequestScopedThing;

    /// <summary>Answers whether the service it was made with is the one of the request's scope.</summary>
    public sealed class ScopedServicesConnection(RequestScopedThing thing) : PersistentConnection
    {
        protected internal override Task OnReceived(IRequest request, string connectionId, string? data) =>
            Connection.Send(connectionId, ReferenceEquals(thing, request.HttpContext!.RequestServices.GetRequiredService<RequestScopedThing>()) ? "same scope" : "other scope");
    }

    /// <summary>Answers whether the request's services are there when a handler asks for them.</summary>
    public sealed class NoServicesConnection : PersistentConnection
    {
        protected internal override Task OnReceived(IRequest request, string connectionId, string? data) =>
            Connection.Send(connectionId, request.HttpContext!.RequestServices.GetService<RequestScopedThing>() is not null ? "scoped service found" : "no scoped service");
    }
}
