using Tether.Client.Internal;
using Tether.Client.Internal.Transports;

namespace Tether.Client.Tests;

/// <summary>URLs and bodies as the classic .NET client builds them (docs/protocol.md#query-strings, #send).</summary>
public sealed class UrlBuilderTests
{
    private const string Token = "Ab+c/d==";
    private const string EscapedToken = "Ab%2Bc%2Fd%3D%3D";

    private static UrlParts Parts(string? transport = null, string? data = null, string? qs = null, string? token = Token) =>
        new("http://h/echo/", "2.1", transport, data, token, qs);

    private static string Receive(ReceiveKind kind, string transport, string? data = null, string? qs = null, string? messageId = null, string? groupsToken = null) =>
        new TransportUrls(Parts(transport, data, qs)).Receive(kind, messageId, groupsToken);

    /// <summary>
    /// The classic .NET client's receive URL, written out from its rule (docs/protocol.md#query-strings): the common
    /// query, then <c>messageId</c> and <c>groupsToken</c> when not null, escaped with <see cref="Uri.EscapeDataString(string)"/>.
    /// </summary>
    private static string ClassicReceiveUrl(string operation, UrlParts parts, string? messageId, string? groupsToken)
    {
        string url = parts.BaseUrl + operation + "?" + UrlBuilder.CommonQuery(parts, parts.Transport);
        if (messageId != null)
        {
            url += "&messageId=" + Uri.EscapeDataString(messageId);
        }

        if (groupsToken != null)
        {
            url += "&groupsToken=" + Uri.EscapeDataString(groupsToken);
        }

        return url;
    }

    [Fact]
    public void V1_NegotiateHasNoTransportNorToken()
    {
        Assert.Equal("http://h/echo/negotiate?clientProtocol=2.1", UrlBuilder.Negotiate(Parts(token: null)));
    }

    [Fact]
    public void V7_ServerSentEventsConnect()
    {
        Assert.Equal($"http://h/echo/connect?clientProtocol=2.1&transport=serverSentEvents&connectionToken={EscapedToken}", Receive(ReceiveKind.Connect, "serverSentEvents"));
    }

    [Fact]
    public void V8_WebSocketConnectAsWsUri()
    {
        string url = Receive(ReceiveKind.Connect, "webSockets");
        Assert.Equal($"ws://h/echo/connect?clientProtocol=2.1&transport=webSockets&connectionToken={EscapedToken}", UrlBuilder.ToWebSocketUri(url).ToString());
        Assert.Equal("wss://h/x", UrlBuilder.ToWebSocketUri("https://h/x").ToString());
        Assert.Throws<InvalidOperationException>(() => UrlBuilder.ToWebSocketUri("ftp://h/x"));
    }

    [Fact]
    public void V9_LongPollingConnectWithoutMessageId()
    {
        Assert.Equal($"http://h/echo/connect?clientProtocol=2.1&transport=longPolling&connectionToken={EscapedToken}", Receive(ReceiveKind.Connect, "longPolling"));
    }

    [Fact]
    public void V11_PollWithMessageIdAndGroupsToken()
    {
        Assert.Equal(
            $"http://h/echo/poll?clientProtocol=2.1&transport=longPolling&connectionToken={EscapedToken}&messageId=d-8B3C21F4-A%2C0%7CB%2C2&groupsToken=Gx%2By%3D",
            Receive(ReceiveKind.Poll, "longPolling", messageId: "d-8B3C21F4-A,0|B,2", groupsToken: "Gx+y="));
    }

    [Fact]
    public void ReconnectCarriesCursorAndGroups_InThatOrder_AfterCustomQueryString()
    {
        Assert.Equal(
            $"http://h/echo/reconnect?clientProtocol=2.1&transport=webSockets&connectionData=[{{\"Name\":\"chat\"}}]&connectionToken={EscapedToken}&a=1&b=2&messageId=m&groupsToken=g",
            Receive(ReceiveKind.Reconnect, "webSockets", data: "[{\"Name\":\"chat\"}]", qs: "?a=1&b=2", messageId: "m", groupsToken: "g"));
    }

    [Fact]
    public void EmptyMessageIdStillAppears()
    {
        Assert.EndsWith("&messageId=", Receive(ReceiveKind.Poll, "longPolling", messageId: ""));
    }

    [Theory]
    [InlineData("start")]
    [InlineData("send")]
    [InlineData("abort")]
    public void NonReceiveOperationsNeverCarryCursorOrGroups(string op)
    {
        UrlParts parts = Parts("serverSentEvents", qs: "&x=y");
        string url = op switch { "start" => UrlBuilder.Start(parts), "send" => new TransportUrls(parts).Send.OriginalString, _ => UrlBuilder.Abort(parts) };
        Assert.Equal($"http://h/echo/{op}?clientProtocol=2.1&transport=serverSentEvents&connectionToken={EscapedToken}&x=y", url);
    }

    [Fact]
    public void ConnectionDataIsAppendedRaw()
    {
        Assert.Equal("http://h/signalr/negotiate?clientProtocol=2.1&connectionData=[{\"Name\":\"ChatHub\"}]",
            UrlBuilder.Negotiate(new UrlParts("http://h/signalr/", "2.1", null, "[{\"Name\":\"ChatHub\"}]", null, null)));
    }

    [Fact]
    public void V15_SendBodyUsesLowercaseHexAndTheClassicSafeSet()
    {
        Assert.Equal("data=%7b%22a%22%3a1%7d", System.Text.Encoding.ASCII.GetString(FormUrlEncoder.EncodeSendBody("{\"a\":1}")));
        Assert.Equal("hello+world", FormUrlEncoder.Encode("hello world"));
        Assert.Equal("-_.!*()az09AZ", FormUrlEncoder.Encode("-_.!*()az09AZ"));
        Assert.Equal("%2b%26%3d%25%c3%a9", FormUrlEncoder.Encode("+&=%é"));
    }

    [Fact]
    public void V16_EmptySendHasAnEmptyBody()
    {
        Assert.Empty(FormUrlEncoder.EncodeSendBody(""));
        Assert.Empty(FormUrlEncoder.EncodeSendBody(null));
    }

    [Theory]
    [InlineData("longPolling", null, null, null, null)]
    [InlineData("longPolling", null, "?a=1&b=2", "d-8B3C21F4-A,0|B,2", "Gx+y=")]
    [InlineData("serverSentEvents", "[{\"Name\":\"chat\"}]", "&x=y", "", null)]
    [InlineData("webSockets", null, "z=1", "é€😀 /?&", "g")]
    public void TransportUrls_AreTheClassicClientsUrls(string transport, string? data, string? qs, string? messageId, string? groupsToken)
    {
        UrlParts parts = Parts(transport, data, qs);
        var urls = new TransportUrls(parts);
        Assert.Equal(ClassicReceiveUrl("connect", parts, messageId, groupsToken), urls.Receive(ReceiveKind.Connect, messageId, groupsToken));
        Assert.Equal(ClassicReceiveUrl("reconnect", parts, messageId, groupsToken), urls.Receive(ReceiveKind.Reconnect, messageId, groupsToken));
        Assert.Equal(ClassicReceiveUrl("poll", parts, messageId, groupsToken), urls.Receive(ReceiveKind.Poll, messageId, groupsToken));
        Assert.Equal(ClassicReceiveUrl("send", parts, null, null), urls.Send.OriginalString);

        // The escaped groups token is kept for the next request; another token replaces it.
        Assert.Equal(ClassicReceiveUrl("poll", parts, "m", "other+token"), urls.Receive(ReceiveKind.Poll, "m", "other+token"));
        Assert.Equal(ClassicReceiveUrl("poll", parts, messageId, groupsToken), urls.Receive(ReceiveKind.Poll, messageId, groupsToken));
    }

    [Fact]
    public void TransportUrls_AreForTheValuesTheyWereBuiltFrom()
    {
        UrlParts parts = Parts("longPolling", qs: "a=1");
        var urls = new TransportUrls(parts);
        Assert.True(urls.IsFor(parts.BaseUrl, parts.Protocol, "longPolling", null, parts.ConnectionToken, parts.QueryString));
        Assert.False(urls.IsFor(parts.BaseUrl, parts.Protocol, "serverSentEvents", null, parts.ConnectionToken, parts.QueryString));
        Assert.False(urls.IsFor(parts.BaseUrl, parts.Protocol, "longPolling", null, "another token", parts.QueryString));
        Assert.False(urls.IsFor(parts.BaseUrl, parts.Protocol, "longPolling", "[]", parts.ConnectionToken, parts.QueryString));
    }
}
