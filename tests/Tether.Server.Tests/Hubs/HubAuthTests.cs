using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>[Authorize] on hubs (checked on every request) and on methods (checked on every call), with roles and users.</summary>
public sealed class HubAuthTests
{
    [Fact]
    public async Task An_anonymous_client_cannot_connect_to_an_authorized_hub()
    {
        await using var server = await StartAsync();
        using var client = new HubWireClient(server, """[{"Name":"secure"}]""");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.NegotiateAsync()).Status);

        // With another hub it may connect: only the hubs it may use are subscribed.
        using var mixed = new HubWireClient(server, """[{"Name":"secure"},{"Name":"open"}]""");
        Assert.Equal(HttpStatusCode.OK, (await mixed.NegotiateAsync()).Status);
    }

    [Fact]
    public async Task Method_authorization_checks_roles_and_users()
    {
        await using var server = await StartAsync(detailed: true);
        using var ann = new HubWireClient(server, """[{"Name":"secure"}]""") { User = "ann" };
        await ann.ConnectLongPollingAsync();
        Assert.Equal("""{"R":"ann","I":"0"}""", (await ann.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"secure","M":"Who","A":[]}""")).Body);
        Assert.Equal(
            """{"I":"1","E":"Caller is not authorized to invoke the Admin method on secure."}""",
            (await ann.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"secure","M":"Admin","A":[]}""")).Body);
        Assert.Equal(
            """{"I":"2","E":"Caller is not authorized to invoke the BobOnly method on secure."}""",
            (await ann.InvokeAsync(ProtocolClient.LongPolling, """{"I":"2","H":"secure","M":"BobOnly","A":[]}""")).Body);

        using var admin = new HubWireClient(server, """[{"Name":"secure"}]""") { User = "bob:admin" };
        await admin.ConnectLongPollingAsync();
        Assert.Equal("""{"R":"admin ok","I":"0"}""", (await admin.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"secure","M":"Admin","A":[]}""")).Body);
        Assert.Equal("""{"R":"bob ok","I":"1"}""", (await admin.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"secure","M":"BobOnly","A":[]}""")).Body);
    }

    [Fact]
    public async Task An_authorized_method_of_an_open_hub_refuses_anonymous_callers_with_the_generic_error()
    {
        await using var server = await StartAsync();
        using var client = new HubWireClient(server, """[{"Name":"open"}]""");
        await client.ConnectLongPollingAsync();
        Assert.Equal("""{"R":"public","I":"0"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"open","M":"Public","A":[]}""")).Body);
        Assert.Equal("""{"I":"1","E":"There was an error invoking Hub method 'open.Private'."}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"open","M":"Private","A":[]}""")).Body);
    }

    [Fact]
    public async Task Clients_User_reaches_every_connection_of_that_user_only()
    {
        await using var server = await StartAsync();
        using var ann1 = new HubWireClient(server, """[{"Name":"open"}]""") { User = "ann" };
        using var ann2 = new HubWireClient(server, """[{"Name":"open"}]""") { User = "ann" };
        using var bob = new HubWireClient(server, """[{"Name":"open"}]""") { User = "bob" };
        foreach (var client in new[] { ann1, ann2, bob })
        {
            await client.ConnectLongPollingAsync();
        }

        await bob.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"open","M":"NotifyUser","A":["ann","for ann"]}""");
        await ann1.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"open","M":"NotifyUser","A":["bob","for bob"]}""");
        string ForAnn = """{"H":"open","M":"notify","A":["for ann"]}""";
        Assert.Equal([ForAnn], await ann1.PollUntilAsync(m => m.Count >= 1));
        Assert.Equal([ForAnn], await ann2.PollUntilAsync(m => m.Count >= 1));
        Assert.Equal(["""{"H":"open","M":"notify","A":["for bob"]}"""], await bob.PollUntilAsync(m => m.Count >= 1));
    }

    [Fact]
    public async Task RequireAuthorization_on_MapHubs_applies_to_the_proxy_script_and_the_connection()
    {
        await using var server = await StartAsync(conventions: hubs => hubs.RequireAuthorization());
        using var anonymous = new HubWireClient(server, """[{"Name":"open"}]""");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.NegotiateAsync()).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(HttpMethod.Get, "/signalr/hubs")).Status);

        using var ann = new HubWireClient(server, """[{"Name":"open"}]""") { User = "ann" };
        Assert.Equal(HttpStatusCode.OK, (await ann.NegotiateAsync()).Status);
        Assert.Equal(HttpStatusCode.OK, (await ann.SendAsync(HttpMethod.Get, "/signalr/hubs")).Status);
    }

    private static Task<HubTestServer> StartAsync(bool detailed = false, Action<IEndpointConventionBuilder>? conventions = null) =>
        HubTestServer.StartAsync(o => o.EnableDetailedErrors = detailed, services: UseTestUsers, conventions: conventions);

    private static void UseTestUsers(IServiceCollection services) =>
        services.AddAuthentication(TestUserHandler.Name).AddScheme<AuthenticationSchemeOptions, TestUserHandler>(TestUserHandler.Name, null);

    /// <summary><c>X-Test-User: name[:role,role]</c> authenticates the request as that user.</summary>
    private sealed class TestUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "Test";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[HubWireClient.UserHeader] is not [{ } value])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            string[] parts = value.Split(':');
            var claims = new List<Claim> { new(ClaimTypes.Name, parts[0]) };
            claims.AddRange(parts.Length > 1 ? parts[1].Split(',').Select(r => new Claim(ClaimTypes.Role, r)) : []);
            var user = new ClaimsPrincipal(new ClaimsIdentity(claims, Name));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(user, Name)));
        }
    }
}
