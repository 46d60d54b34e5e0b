using System.Text.Json;

namespace Tether.ClassicServer.Tests;

/// <summary>The fixture's options reach SignalR's configuration: negotiate reports them.</summary>
public sealed class OptionsTests
{
    [Fact]
    public async Task NegotiateReportsTheConfiguredTimeouts()
    {
        await using var server = await ClassicServerProcess.StartAsync(new ClassicServerOptions
        {
            DisconnectTimeout = TimeSpan.FromSeconds(6),
            KeepAlive = TimeSpan.FromSeconds(2),
            ConnectionTimeout = TimeSpan.FromSeconds(3),
        });
        using var http = new HttpClient();

        string json = await http.GetStringAsync(server.Url("/echo/negotiate?clientProtocol=2.1")).DefaultTimeout();
        using var negotiate = JsonDocument.Parse(json);
        var root = negotiate.RootElement;

        Assert.Equal(6.0, root.GetProperty("DisconnectTimeout").GetDouble());
        Assert.Equal(4.0, root.GetProperty("KeepAliveTimeout").GetDouble()); // twice the keep-alive interval
        Assert.Equal(3.0, root.GetProperty("ConnectionTimeout").GetDouble());
        Assert.True(root.GetProperty("TryWebSockets").GetBoolean());
        Assert.Equal("/echo", root.GetProperty("Url").GetString());
    }

    [Fact]
    public async Task KeepAliveZeroDisablesKeepAlives()
    {
        await using var server = await ClassicServerProcess.StartAsync(new ClassicServerOptions { KeepAlive = TimeSpan.Zero });
        using var http = new HttpClient();

        string json = await http.GetStringAsync(server.Url("/echo/negotiate?clientProtocol=2.1")).DefaultTimeout();
        using var negotiate = JsonDocument.Parse(json);

        Assert.Equal(JsonValueKind.Null, negotiate.RootElement.GetProperty("KeepAliveTimeout").ValueKind);
    }
}
