using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Tether.Browser.Tests;

/// <summary>A page running wwwroot/harness.js; each method calls one of its window functions.</summary>
public sealed class HarnessPage
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    private readonly IPage _page;

    private HarnessPage(IPage page, string name)
    {
        _page = page;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The page's console (the client logs with <c>logging = true</c>) and its uncaught errors.</summary>
    public ConcurrentQueue<string> Console { get; } = new();

    /// <summary>Opens a harness page and waits until its script is ready.</summary>
    /// <param name="file">The page: <c>index.html</c> (persistent connections), <c>hub.html</c> or <c>hub-manual.html</c> (hubs).</param>
    public static async Task<HarnessPage> OpenAsync(IBrowserContext context, BrowserTestServer server, Stopwatch clock, string name, string file = "index.html")
    {
        var page = await context.NewPageAsync();
        var harness = new HarnessPage(page, name);
        page.Console += (_, message) => harness.Console.Enqueue($"{clock.ElapsedMilliseconds,6} ms [{message.Type}] {message.Text}");
        page.PageError += (_, error) => harness.Console.Enqueue($"{clock.ElapsedMilliseconds,6} ms [pageerror] {error}");
        var response = await page.GotoAsync(server.Page(file));
        Assert.True(response is { Ok: true }, $"The harness page {file} did not load: {response?.Status}.");
        await page.WaitForFunctionAsync("() => !!window.jQuery.connection && (typeof window.startConnection === 'function' || typeof window.beginInvoke === 'function')");
        return harness;
    }

    /// <summary>Evaluates a harness function and reads its JSON result, bounded by the default timeout.</summary>
    public Task<JsonElement> EvaluateAsync(string expression, params object?[] args) =>
        _page.EvaluateAsync<JsonElement>(expression, args).DefaultTimeout();

    /// <summary>Creates a connection to <paramref name="path"/> and starts it; the snapshot carries <c>StartError</c> on failure.</summary>
    /// <param name="transport">A transport name, or <c>auto</c>.</param>
    public Task<ConnectionSnapshot> StartAsync(string path, string transport) => CallAsync("([u, t]) => startConnection(u, t)", path, transport);

    /// <summary>Sends and returns once the same value has come back.</summary>
    public async Task EchoAsync(int handle, string data)
    {
        var echoed = await _page.EvaluateAsync<JsonElement>("([h, d]) => echo(h, d)", new object[] { handle, data }).DefaultTimeout();
        Assert.Equal(data, ConnectionSnapshot.ToText(echoed));
    }

    /// <summary>Echoes <paramref name="count"/> messages one after the other; returns each round trip in milliseconds, timed in the page.</summary>
    public async Task<double[]> TimeEchoesAsync(int handle, int count) =>
        (await EvaluateAsync("([h, n]) => timeEchoes(h, n)", handle, count)).EnumerateArray().Select(t => t.GetDouble()).ToArray();

    public Task SendAsync(int handle, string data) => _page.EvaluateAsync("([h, d]) => sendMessage(h, d)", new object[] { handle, data }).DefaultTimeout();

    /// <summary>Returns every received message once at least <paramref name="count"/> have arrived.</summary>
    public async Task<IReadOnlyList<string>> WaitForMessagesAsync(int handle, int count)
    {
        var all = await _page.EvaluateAsync<JsonElement>("([h, n]) => waitForMessages(h, n)", new object[] { handle, count }).DefaultTimeout();
        return all.EnumerateArray().Select(ConnectionSnapshot.ToText).ToArray();
    }

    /// <summary>Returns once the client raised <paramref name="name"/> (an event name as in <see cref="ConnectionSnapshot.Events"/>) <paramref name="times"/> times.</summary>
    public Task<ConnectionSnapshot> WaitForEventAsync(int handle, string name, int times = 1) =>
        CallAsync("([h, e, n]) => waitForEvent(h, e, n)", handle, name, times);

    /// <summary>Calls <c>connection.stop()</c> and returns after the client raised <c>disconnected</c>.</summary>
    public Task<ConnectionSnapshot> StopAsync(int handle) => CallAsync("([h]) => stopConnection(h)", handle);

    public Task<ConnectionSnapshot> SnapshotAsync(int handle) => CallAsync("([h]) => connectionSnapshot(h)", handle);

    /// <summary>A plain fetch from the page, for requests the client itself never makes.</summary>
    public async Task<(int Status, string Body)> RawRequestAsync(string method, string url)
    {
        var result = await _page.EvaluateAsync<JsonElement>("([m, u]) => rawRequest(m, u)", new object[] { method, url }).DefaultTimeout();
        return (result.GetProperty("status").GetInt32(), result.GetProperty("body").GetString()!);
    }

    private async Task<ConnectionSnapshot> CallAsync(string expression, params object[] args)
    {
        var result = await _page.EvaluateAsync<JsonElement>(expression, args).DefaultTimeout();
        return result.Deserialize<ConnectionSnapshot>(JsonOptions)!;
    }
}
