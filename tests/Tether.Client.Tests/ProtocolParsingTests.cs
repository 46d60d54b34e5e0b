using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Tether.Client.Internal;
using Tether.Protocol;

namespace Tether.Client.Tests;

/// <summary>The client's reading of server payloads: persistent responses (§6), negotiate answers (§4) and Received text (§12.2).</summary>
public sealed class ProtocolParsingTests
{
    [Fact]
    public void PersistentResponse_InitMessage()
    {
        var r = PersistentResponse.Parse("{\"C\":\"d-8B3C21F4-A,0|B,1\",\"S\":1,\"M\":[]}");
        Assert.Equal("d-8B3C21F4-A,0|B,1", r.Cursor);
        Assert.True(r.Initialized);
        Assert.Empty(r.Messages!);
        Assert.False(r.ShouldReconnect);
    }

    [Fact]
    public void PersistentResponse_MessagesStayRawJson()
    {
        var r = PersistentResponse.Parse("{\"C\":\"x\",\"M\":[{\"Name\":\"x\",\"N\":1},7,\"hi\",[1,2],null]}");
        Assert.Equal(["{\"Name\":\"x\",\"N\":1}", "7", "\"hi\"", "[1,2]", "null"], r.Messages!);
        Assert.Equal(r.Messages!, r.Utf8Messages!.Select(m => System.Text.Encoding.UTF8.GetString(m.Span)));
    }

    [Fact]
    public void PersistentResponse_FlagsConvertLikeTheClassicClient()
    {
        Assert.True(PersistentResponse.Parse("{\"C\":\"x\",\"S\":\"1\",\"M\":[]}").Initialized);
        Assert.True(PersistentResponse.Parse("{\"C\":\"x\",\"S\":true,\"M\":[]}").Initialized);
        Assert.False(PersistentResponse.Parse("{\"C\":\"x\",\"S\":0,\"M\":[]}").Initialized);
        Assert.True(PersistentResponse.Parse("{\"C\":\"x\",\"T\":1,\"M\":[]}").ShouldReconnect);
        var g = PersistentResponse.Parse("{\"C\":\"x\",\"G\":\"tok\",\"L\":2000,\"M\":[]}");
        Assert.True(g.HasGroupsToken);
        Assert.Equal("tok", g.GroupsToken);
        Assert.Equal(2000, g.LongPollDelay);
    }

    [Fact]
    public void PersistentResponse_KeepAlivesHubResultsAndErrors()
    {
        Assert.True(PersistentResponse.Parse("{}").IsKeepAlive);
        Assert.True(PersistentResponse.Parse(" ").IsKeepAlive);
        Assert.True(PersistentResponse.Parse("  {\"C\":\"x\",\"M\":[]}").Messages is { Count: 0 });
        Assert.True(PersistentResponse.Parse("{\"I\":\"0\",\"R\":42}").IsHubResult);
        Assert.Equal("boom", PersistentResponse.Parse("{\"E\":\"boom\"}").Error);
        Assert.Null(PersistentResponse.Parse("{\"C\":\"x\",\"M\":{}}").Messages);
        Assert.Throws<FormatException>(() => PersistentResponse.Parse("[1]"));
        Assert.Throws<FormatException>(() => PersistentResponse.Parse("{\"C\":"));
    }

    [Fact]
    public void NegotiationAnswer_V1()
    {
        var a = NegotiationAnswer.Parse("{\"Url\":\"/echo\",\"ConnectionToken\":\"t+/=\",\"ConnectionId\":\"3f2504e0-4f89-41d3-9a0c-0305e82c3301\",\"KeepAliveTimeout\":20.0,\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,\"TryWebSockets\":true,\"ProtocolVersion\":\"2.0\",\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}");
        Assert.Equal("/echo", a.Url);
        Assert.Equal("t+/=", a.ConnectionToken);
        Assert.Equal(20.0, a.KeepAliveTimeout);
        Assert.Equal(30.0, a.DisconnectTimeout);
        Assert.True(a.TryWebSockets);
        Assert.Equal("2.0", a.ProtocolVersion);
        Assert.Equal(5.0, a.TransportConnectTimeout);
        Assert.False(a.IsAspNetCoreSignalR);
    }

    [Fact]
    public void NegotiationAnswer_V4_V29_V30()
    {
        Assert.Null(NegotiationAnswer.Parse("{\"KeepAliveTimeout\":null,\"ProtocolVersion\":\"2.0\"}").KeepAliveTimeout);
        Assert.True(NegotiationAnswer.Parse("{\"connectionId\":\"x\",\"availableTransports\":[]}").IsAspNetCoreSignalR);
        var redirect = NegotiationAnswer.Parse("{\"ProtocolVersion\":\"2.0\",\"RedirectUrl\":\"https://svc/client/?hub=chat\",\"AccessToken\":\"t1\"}");
        Assert.Equal("https://svc/client/?hub=chat", redirect.RedirectUrl);
        Assert.Equal("t1", redirect.AccessToken);
        Assert.Equal("boom", NegotiationAnswer.Parse("{\"ProtocolVersion\":\"2.0\",\"Error\":\"boom\"}").Error);
        Assert.Throws<FormatException>(() => NegotiationAnswer.Parse("nope"));
    }

    public static TheoryData<string> JsonValues => new()
    {
        "\"hello\"", "\"with \\\"quotes\\\" and \\\\ and \\n\"", "42", "-7", "1.0", "1.5", "1e300", "0.1", "1E2", "-0.0", "true", "false", "null",
        "{}", "[]", "{\"Name\":\"x\"}", "{\"Name\":\"x\",\"N\":[1,2.50,{\"a\":null}],\"e\":\"<é\\n\\t\\\"\\u0001\\u2028\"}",
        "[[]]", "{\"a\":{}}", "[1,\"two\",true,null,{\"x\":[]}]", "12345678901234567890123", "{\"big\":1e300,\"neg\":-0.0,\"f\":1.0}",
    };

    /// <summary>Received text equals Json.NET's JToken.ToString(), what the classic client hands to Received (V19).</summary>
    [Theory]
    [MemberData(nameof(JsonValues))]
    public void ReceivedTextMatchesJsonNet(string raw)
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            var serializer = new JsonSerializer { DateParseHandling = DateParseHandling.None };
            JToken token = serializer.Deserialize<JToken>(new JsonTextReader(new StringReader(raw)) { DateParseHandling = DateParseHandling.None })!;
            Assert.Equal(token.ToString(), ClassicJsonText.ToReceivedText(raw));
            Assert.Equal(token.ToString(), ClassicJsonText.ToReceivedText(System.Text.Encoding.UTF8.GetBytes(raw)));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void V19_ObjectArrivesIndentedWithThePlatformNewline()
    {
        Assert.Equal("{" + Environment.NewLine + "  \"Name\": \"x\"" + Environment.NewLine + "}", ClassicJsonText.ToReceivedText("{\"Name\":\"x\"}"));
    }
}
