using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tether.Client.Internal;

namespace Tether.Client.Tests;

/// <summary>Long polling sends its cursor and groups token in a form body, as the JavaScript client does, not in the URL.</summary>
public sealed class LongPollingFormTests
{
    private const string Cursor = "d-1,0|a&b=c+ d\u00fc\u20ac";
    private const string EncodedCursor = "d-1%2c0%7ca%26b%3dc%2b+d%c3%bc%e2%82%ac";
    private const string GroupsToken = "g+/=&x y\u00e9";
    private const string EncodedGroupsToken = "g%2b%2f%3d%26x+y%c3%a9";

    [Theory]
    [InlineData(Cursor, GroupsToken, "messageId=" + EncodedCursor + "&groupsToken=" + EncodedGroupsToken)]
    [InlineData(Cursor, null, "messageId=" + EncodedCursor)]
    [InlineData(null, GroupsToken, "groupsToken=" + EncodedGroupsToken)]
    [InlineData("", "", "messageId=&groupsToken=")]
    [InlineData("0", null, "messageId=0")]
    public void ReceiveBody_IsTheExactFormEncoding(string? messageId, string? groupsToken, string expected)
    {
        byte[]? body = FormUrlEncoder.EncodeReceiveBody(messageId, groupsToken);
        Assert.NotNull(body);
        Assert.Equal(expected, Encoding.ASCII.GetString(body));

        var form = QueryHelpers.ParseQuery(expected);
        Assert.Equal(messageId, form.TryGetValue("messageId", out var m) ? m.ToString() : null);
        Assert.Equal(groupsToken, form.TryGetValue("groupsToken", out var g) ? g.ToString() : null);
    }

    [Fact]
    public void ReceiveBody_WithNeitherField_IsNoBodyAtAll() => Assert.Null(FormUrlEncoder.EncodeReceiveBody(null, null));

    [Fact]
    public async Task EveryReceive_CarriesTheCursorAndGroupsTokenInItsBody_NotInItsUrl()
    {
        var server = new FakeLongPollingServer();
        await using var host = await TestServer.StartAsync(configureApp: server.Install);
        var connection = new Connection(host.Url("/lp"));
        await connection.Start(Transports.Create(Transports.LongPolling)).DefaultTimeout();
        FakeLongPollingServer.Receive poll = await server.FirstPoll.Task.DefaultTimeout();
        connection.Stop();

        FakeLongPollingServer.Receive connect = server.Receives.First(r => r.Operation == "connect");
        Assert.Equal(string.Empty, connect.Body);
        Assert.Null(connect.ContentType);

        Assert.Equal("POST", poll.Method);
        Assert.Equal("messageId=" + EncodedCursor + "&groupsToken=" + EncodedGroupsToken, poll.Body);
        Assert.Equal("application/x-www-form-urlencoded; charset=UTF-8", poll.ContentType);
        Assert.All(server.Receives, r => Assert.DoesNotContain("messageId", r.Query, StringComparison.Ordinal));
        Assert.All(server.Receives, r => Assert.DoesNotContain("groupsToken", r.Query, StringComparison.Ordinal));
        Assert.StartsWith("?clientProtocol=2.1&transport=longPolling&connectionToken=tok", poll.Query, StringComparison.Ordinal);
    }

    /// <summary>A long-polling server that answers /connect with a cursor and groups token full of characters to escape, and holds every poll.</summary>
    private sealed class FakeLongPollingServer
    {
        public ConcurrentQueue<Receive> Receives { get; } = new();

        public TaskCompletionSource<Receive> FirstPoll { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Install(WebApplication app) => app.Use(async (HttpContext ctx, Func<Task> next) =>
        {
            string path = ctx.Request.Path.Value ?? string.Empty;
            if (!path.StartsWith("/lp/", StringComparison.Ordinal))
            {
                await next();
                return;
            }

            string operation = path["/lp/".Length..];
            ctx.Response.ContentType = "application/json; charset=UTF-8";
            switch (operation)
            {
                case "negotiate":
                    await ctx.Response.WriteAsync("{\"Url\":\"/lp\",\"ConnectionToken\":\"tok\",\"ConnectionId\":\"3f2504e0-4f89-41d3-9a0c-0305e82c3301\",\"KeepAliveTimeout\":null,\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,\"TryWebSockets\":false,\"ProtocolVersion\":\"2.1\",\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}");
                    return;
                case "start":
                    await ctx.Response.WriteAsync("{\"Response\":\"started\"}");
                    return;
                case "connect":
                case "poll":
                case "reconnect":
                    var receive = new Receive(operation, ctx.Request.Method, ctx.Request.QueryString.Value ?? string.Empty, ctx.Request.ContentType, await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync());
                    Receives.Enqueue(receive);
                    if (operation == "connect")
                    {
                        await ctx.Response.WriteAsync("{\"C\":\"" + JsonEscaped(Cursor) + "\",\"S\":1,\"G\":\"" + JsonEscaped(GroupsToken) + "\",\"M\":[]}");
                        return;
                    }

                    FirstPoll.TrySetResult(receive);
                    try
                    {
                        // A long poll that never answers: the client's stop aborts it.
                        await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    return;
                default:
                    ctx.Response.ContentType = "text/plain";
                    return;
            }
        });

        private static string JsonEscaped(string text) => System.Text.Json.JsonSerializer.Serialize(text)[1..^1];

        public sealed record Receive(string Operation, string Method, string Query, string? ContentType, string Body);
    }
}
