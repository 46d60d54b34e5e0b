using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tether.Server.Internal;
using Tether.Server.Tests.Hostile;

namespace Tether.Server.Tests.Requests;

/// <summary>
/// Single query values read straight from the query string are what <c>Request.Query[name]</c> gives, checked against
/// ASP.NET Core's own parser on seeded hostile query strings; and the Host check remembers only valid hosts.
/// </summary>
public sealed class RequestQueryTests
{
    private static readonly string[] Names = ["transport", "connectionToken", "messageId", "groupsToken", "callback", "data"];

    [Fact]
    public void AgreesWithAspNetCoresQueryParser_OnSeededQueries()
    {
        var fuzz = new FuzzInput(9_2026);
        int compared = 0;
        for (int i = 0; i < 3_000; i++)
        {
            string query = "?" + string.Join(fuzz.Random.Next(10) == 0 ? "&&" : "&", Enumerable.Range(0, fuzz.Random.Next(7)).Select(_ => fuzz.Random.Next(5) switch
            {
                0 => fuzz.Text(10) + "=" + fuzz.Text(40),
                1 => Uri.EscapeDataString(fuzz.Pick(Names)) + "=" + Uri.EscapeDataString(fuzz.Text(120)),
                2 => fuzz.Pick(Names).ToUpperInvariant() + "=" + fuzz.Text(30),
                3 => fuzz.Pick(Names),
                _ => fuzz.Pick(Names) + "=",
            }));
            var request = new DefaultHttpContext().Request;
            request.QueryString = new QueryString(query);
            var expected = QueryHelpers.ParseQuery(query);
            foreach (string name in Names)
            {
                string? wanted = expected.TryGetValue(name, out var values) ? (string?)values : null;
                Assert.True(wanted == RequestQuery.Get(request, name), $"{name} of {query}");
                char[] buffer = new char[2 * query.Length];
                if (RequestQuery.TryDecodeSingle(request, name, buffer, out int written))
                {
                    Assert.Equal(1, values.Count);
                    Assert.Equal(wanted, new string(buffer, 0, written));
                }

                compared++;
            }
        }

        Assert.Equal(18_000, compared);
    }

    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("example.com", true)]
    [InlineData("[::1]:80", true)]
    [InlineData("127.0.0.1:99999", false)]
    [InlineData("a b", false)]
    public void HostCheck_RemembersOnlyValidHosts(string host, bool valid)
    {
        // Each invalid host is checked right after a valid one is remembered, and again after itself.
        Assert.True(HttpRequestView.HasValidUrl(Request("valid.example")));
        Assert.Equal(valid, HttpRequestView.HasValidUrl(Request(host)));
        Assert.Equal(valid, HttpRequestView.HasValidUrl(Request(host)));
    }

    private static HttpRequest Request(string host)
    {
        var request = new DefaultHttpContext().Request;
        request.Scheme = "http";
        request.Host = new HostString(host);
        request.Path = "/echo/send";
        return request;
    }
}
