using System.Diagnostics;
using System.Text;

namespace Tether.Server.Tests.Hubs;

/// <summary>
/// Runs the generated <c>/signalr/hubs</c> script in Node.js (installed by test.sh for the browser tests) against a
/// stand-in for the parts of jquery.signalR it uses, and records what the page-facing proxies do.
/// </summary>
public sealed class HubProxyScriptNodeTests
{
    private const string FakeJQuery = """
        var calls = [];
        function hubConnection(url, options) {
            var connection = Object.create(hubConnection.prototype);
            connection.url = url;
            connection.options = options;
            return connection;
        }
        hubConnection.prototype.starting = function (fn) { this.onStarting = fn; return this; };
        hubConnection.prototype.disconnected = function (fn) { this.onDisconnected = fn; return this; };
        hubConnection.prototype._registerSubscribedHubs = function () { calls.push("registered"); };
        hubConnection.prototype.createHubProxy = function (name) {
            return {
                hubName: name,
                client: {},
                invoke: function () { calls.push("invoke " + name + " " + JSON.stringify(Array.prototype.slice.call(arguments))); return "promise"; },
                on: function (method) { calls.push("on " + name + " " + method); },
                off: function (method) { calls.push("off " + name + " " + method); }
            };
        };
        var $ = {
            signalR: function () {},
            hubConnection: hubConnection,
            each: function (o, f) { for (var k in o) { f(k, o[k]); } },
            isFunction: function (f) { return typeof f === "function"; },
            merge: function (a, b) { return a.concat(b); },
            makeArray: function (a) { return Array.prototype.slice.call(a); },
            extend: function (t, s) { for (var k in s) { t[k] = s[k]; } return t; }
        };
        var window = { jQuery: $ };

        """;

    private const string Page = """

        var hub = $.signalR.hub;
        calls.push("url " + hub.url + " " + JSON.stringify(hub.options));
        $.signalR.chat.client.addMessage = function () {};
        calls.push("returned " + $.signalR.chat.server.sendToGroup("room", "hi"));
        $.signalR.chat.server.echo("x");
        hub.onStarting.call(hub);
        hub.onDisconnected.call(hub);
        console.log(calls.join("\n"));
        """;

    [Fact]
    public async Task The_generated_proxy_runs_and_calls_the_server_methods_by_their_names()
    {
        await using var server = await HubTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        string script = await http.GetStringAsync("/signalr/hubs").DefaultTimeout();

        string output = await RunNodeAsync(FakeJQuery + script + Page);

        Assert.Equal(
            [
                """url /signalr {"useDefaultPath":false}""",
                """invoke chat ["SendToGroup","room","hi"]""",
                "returned promise",
                """invoke chat ["Echo","x"]""",
                "on chat addMessage",
                "registered",
                "off chat addMessage",
            ],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<string> RunNodeAsync(string program)
    {
        string path = Path.Combine(Path.GetTempPath(), $"tether-hubs-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(path, program, Encoding.UTF8);
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", [path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync().DefaultTimeout();
            Assert.True(node.ExitCode == 0, await stderr);
            return await stdout;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
