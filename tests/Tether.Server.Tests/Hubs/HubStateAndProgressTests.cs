using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tether.Server.Tests.Conformance;

namespace Tether.Server.Tests.Hubs;

/// <summary>Caller state (<c>S</c>), progress (<c>P</c> inside <c>M</c>), overloads and argument binding.</summary>
public sealed class HubStateAndProgressTests
{
    [Fact]
    public async Task State_is_read_as_plain_values_and_only_changes_come_back()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        Assert.Equal(
            """{"S":{"visits":3},"R":"hello ann","I":"0"}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Greet","A":[],"S":{"userName":"ann","visits":2}}""")).Body);
        Assert.Equal(
            """{"S":{"visits":1},"R":"hello ","I":"1"}""",
            (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Greet","A":[]}""")).Body);
    }

    [Fact]
    public async Task State_of_4096_characters_is_taken_and_one_more_is_refused()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        using var socket = await client.ConnectWebSocketAsync();
        string StateOf(int length) => "{\"userName\":\"" + new string('x', length - "{\"userName\":\"\"}".Length) + "\"}";

        await socket.SendTextAsync($$"""{"I":"0","H":"chat","M":"Echo","A":["ok"],"S":{{StateOf(4096)}}}""");
        Assert.Equal("""{"R":"ok","I":"0"}""", (await socket.ReceiveAsync()).Text);
        await socket.SendTextAsync($$"""{"I":"1","H":"chat","M":"Echo","A":["ok"],"S":{{StateOf(4097)}}}""");
        Assert.Equal("""{"I":"1","E":"State has exceeded the maximum length of 4096 bytes."}""", (await socket.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task Progress_reports_arrive_inside_M_before_the_result()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        using var socket = await client.ConnectWebSocketAsync();
        await socket.SendTextAsync("""{"I":"5","H":"chat","M":"CountTo","A":[3]}""");

        var seen = new List<string>();
        while (!seen.Contains("""{"R":3,"I":"5"}"""))
        {
            string text = (await socket.ReceiveAsync()).Text;
            seen.AddRange(Envelope.TryParse(text) is { } envelope ? envelope.RawM : [text]);
            if (seen.Contains("""{"I":"P|5","P":{"I":"5","D":3}}"""))
            {
                server.Services.GetRequiredService<ProgressGate>().Opened.TrySetResult();
            }
        }

        Assert.Equal(
            ["""{"I":"P|5","P":{"I":"5","D":1}}""", """{"I":"P|5","P":{"I":"5","D":2}}""", """{"I":"P|5","P":{"I":"5","D":3}}""", """{"R":3,"I":"5"}"""],
            seen.Where(s => s != "{}"));
    }

    [Fact]
    public async Task Overloads_are_chosen_by_argument_count_and_objects_bind_in_any_letter_case()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        Assert.Equal("""{"R":"none","I":"0"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Overload","A":[]}""")).Body);
        Assert.Equal("""{"R":"int 7","I":"1"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"1","H":"chat","M":"Overload","A":[7]}""")).Body);
        Assert.Equal("""{"R":"ab","I":"2"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"2","H":"chat","M":"overload","A":["a","b"]}""")).Body);
        Assert.Equal("""{"R":{"X":3,"Y":2},"I":"3"}""", (await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"3","H":"chat","M":"Move","A":[{"x":1,"y":2},2]}""")).Body);
    }

    [Fact]
    public async Task Non_ascii_and_quotes_are_written_as_classic_json_net_writes_them()
    {
        await using var server = await HubTestServer.StartAsync();
        using var client = new HubWireClient(server);
        await client.ConnectLongPollingAsync();
        var reply = await client.InvokeAsync(ProtocolClient.LongPolling, """{"I":"0","H":"chat","M":"Echo","A":["héllo 'q' <b> \"x\""]}""");
        Assert.Equal("""{"R":"héllo 'q' <b> \"x\"","I":"0"}""", reply.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(reply.Body), reply.ContentLength ?? Encoding.UTF8.GetByteCount(reply.Body));
    }
}
