using Tether.Cli.Commands;
using Tether.Cli.Output;
using Tether.Client;

namespace Tether.Cli.Tests;

/// <summary>In-process checks of how <c>tether connect</c> reads its URL, transport, headers and query strings.</summary>
public sealed class ConnectOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000/echo", "http://127.0.0.1:5000/echo", "")]
    [InlineData("https://example.com/signalr/", "https://example.com/signalr/", "")]
    [InlineData("http://127.0.0.1:5000/echo?a=1&b=%20", "http://127.0.0.1:5000/echo", "a=1&b=%20")]
    [InlineData(" http://host/echo ", "http://host/echo", "")]
    public void A_url_is_split_from_its_query_string(string value, string expectedUrl, string expectedQuery)
    {
        Assert.True(ConnectCommand.TryParseUrl(value, out string? url, out string query, out string? error), error);
        Assert.Equal(expectedUrl, url);
        Assert.Equal(expectedQuery, query);
    }

    [Theory]
    [InlineData("")]
    [InlineData("echo")]
    [InlineData("/echo")]
    [InlineData("127.0.0.1:5000/echo")]
    [InlineData("ws://127.0.0.1/echo")]
    [InlineData("http://127.0.0.1/echo#x")]
    public void Invalid_urls_are_refused(string value)
    {
        Assert.False(ConnectCommand.TryParseUrl(value, out _, out _, out string? error));
        Assert.StartsWith("invalid URL", error);
    }

    [Theory]
    [InlineData("auto", "auto")]
    [InlineData("webSockets", "webSockets")]
    [InlineData("websockets", "webSockets")]
    [InlineData("SERVERSENTEVENTS", "serverSentEvents")]
    [InlineData("longPolling", "longPolling")]
    public void Transports_are_read_in_any_letter_case(string value, string expected)
    {
        Assert.True(ConnectCommand.TryParseTransport(value, out string? transport, out _));
        Assert.Equal(expected, transport);
    }

    [Fact]
    public void ForeverFrame_is_not_a_client_transport()
    {
        Assert.False(ConnectCommand.TryParseTransport("foreverFrame", out _, out string? error));
        Assert.Equal("unknown --transport 'foreverFrame': expected auto, webSockets, serverSentEvents or longPolling", error);
    }

    [Fact]
    public void Headers_take_name_equals_value_or_name_colon_value_and_join_repeated_names()
    {
        Assert.True(ConnectCommand.TryParseHeaders(
            ["Authorization=Bearer a=b", "X-Trace: 1:2", "x-trace=3", "X-Empty="], out var headers, out string? error), error);
        Assert.Equal("Bearer a=b", headers["Authorization"]);
        Assert.Equal("1:2, 3", headers["X-Trace"]);
        Assert.Equal(string.Empty, headers["X-Empty"]);
        Assert.Equal(3, headers.Count);
    }

    [Theory]
    [InlineData("NoSeparator")]
    [InlineData("=value")]
    [InlineData(" : value")]
    [InlineData("Bad Name=1")]
    [InlineData("Bad(Name)=1")]
    public void Invalid_headers_are_refused(string value)
    {
        Assert.False(ConnectCommand.TryParseHeaders([value], out _, out string? error));
        Assert.StartsWith($"invalid --header '{value}'", error);
    }

    [Fact]
    public void A_header_value_cannot_break_the_request()
    {
        Assert.False(ConnectCommand.TryParseHeaders(["X-A=1\r\nX-B: 2"], out _, out string? error));
        Assert.EndsWith("a header value cannot contain line breaks", error);
    }

    [Theory]
    [InlineData("", new string[0], null)]
    [InlineData("a=1", new string[0], "a=1")]
    [InlineData("", new[] { "name=a b" }, "name=a%20b")]
    [InlineData("", new[] { "?x=1&y=%20" }, "x=1&y=%20")]
    [InlineData("", new[] { "flag" }, "flag")]
    [InlineData("", new[] { "k=v+w/ü" }, "k=v%2Bw%2F%C3%BC")]
    [InlineData("first=1", new[] { "second=2", "third=3&fourth=4" }, "first=1&second=2&third=3&fourth=4")]
    public void Query_values_are_escaped_unless_raw_and_follow_the_urls_own(string urlQuery, string[] values, string? expected)
    {
        Assert.True(ConnectCommand.TryBuildQueryString(urlQuery, values, out string? query, out string? error), error);
        Assert.Equal(expected, query);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?")]
    [InlineData("=1")]
    [InlineData("a=1#frag")]
    public void Invalid_query_values_are_refused(string value)
    {
        Assert.False(ConnectCommand.TryBuildQueryString(string.Empty, [value], out _, out string? error));
        Assert.StartsWith("invalid --query", error);
    }

    [Fact]
    public void Errors_read_as_one_line_without_repeating_wrapped_messages()
    {
        var error = new InvalidOperationException("Transport failed trying to connect.", new AggregateException(new IOException("Connection refused\n(127.0.0.1:1)")));
        Assert.Equal("Transport failed trying to connect: Connection refused\\n(127.0.0.1:1)", ErrorText.Describe(error));
    }

    [Fact]
    public void An_http_error_reads_as_its_status_and_url()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:5000/missing/negotiate?clientProtocol=2.1");
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.NotFound) { RequestMessage = request };
        Assert.Equal("HTTP 404 Not Found for http://127.0.0.1:5000/missing/negotiate", ErrorText.Describe(new HttpClientException(response)));
    }
}
