using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tether.Server;

namespace Tether.Server.Tests.Routing;

/// <summary>MapPersistentConnection returns a convention builder whose conventions reach every path of the endpoint.</summary>
public sealed class EndpointConventionTests
{
    [Theory]
    [InlineData("/secure/negotiate?clientProtocol=2.1")]
    [InlineData("/secure/connect?transport=longPolling&connectionToken=x")]
    [InlineData("/secure")]
    public async Task RequireAuthorization_AppliesToEveryPathOfTheEndpoint(string path)
    {
        await using var server = await StartSecureServerAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var anonymous = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task RequireAuthorization_LetsAuthenticatedUsersNegotiate_AndBindsTheTokenToThem()
    {
        await using var server = await StartSecureServerAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var negotiate = new HttpRequestMessage(HttpMethod.Get, "/secure/negotiate?clientProtocol=2.1");
        negotiate.Headers.Add(HeaderAuthentication.Header, "alice");
        using var response = await http.SendAsync(negotiate);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string token = Uri.EscapeDataString(json.RootElement.GetProperty("ConnectionToken").GetString()!);

        // The same token presented by another user is refused (the token binds the user, docs/protocol.md#connection-token).
        using var start = new HttpRequestMessage(HttpMethod.Get, $"/secure/start?transport=longPolling&clientProtocol=2.1&connectionToken={token}");
        start.Headers.Add(HeaderAuthentication.Header, "mallory");
        using var mismatch = await http.SendAsync(start);
        Assert.Equal(HttpStatusCode.Forbidden, mismatch.StatusCode);

        using var startAsAlice = new HttpRequestMessage(HttpMethod.Get, $"/secure/start?transport=longPolling&clientProtocol=2.1&connectionToken={token}");
        startAsAlice.Headers.Add(HeaderAuthentication.Header, "ALICE");
        using var started = await http.SendAsync(startAsAlice);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
    }

    [Fact]
    public async Task RequireCors_AnswersPreflightAndAddsHeadersOnEveryPath()
    {
        await using var server = await TestServer.StartAsync(
            configureServices: services => services.AddCors(o => o.AddPolicy("page", p => p.WithOrigins("http://page.test").AllowCredentials().AllowAnyHeader())),
            configureApp: app =>
            {
                app.UseCors();
                app.MapPersistentConnection<EchoConnection>("/cors").RequireCors("page");
            });
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/cors/send?transport=longPolling");
        preflight.Headers.Add("Origin", "http://page.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        using var preflightResponse = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Equal("http://page.test", preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", preflightResponse.Headers.GetValues("Access-Control-Allow-Credentials").Single());

        using var negotiate = new HttpRequestMessage(HttpMethod.Get, "/cors/negotiate?clientProtocol=2.1");
        negotiate.Headers.Add("Origin", "http://page.test");
        using var response = await http.SendAsync(negotiate);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://page.test", response.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/cors/negotiate?clientProtocol=2.1");
        foreign.Headers.Add("Origin", "http://evil.test");
        using var foreignResponse = await http.SendAsync(foreign);
        Assert.False(foreignResponse.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static Task<TestServer> StartSecureServerAsync() => TestServer.StartAsync(
        configureServices: services =>
        {
            services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
            services.AddAuthorization();
        },
        configureApp: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapPersistentConnection<EchoConnection>("/secure").RequireAuthorization();
        });

    /// <summary>Authenticates the user named in a header; no header means anonymous.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestHeader";
        public const string Header = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var name) || string.IsNullOrEmpty(name))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name!)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
