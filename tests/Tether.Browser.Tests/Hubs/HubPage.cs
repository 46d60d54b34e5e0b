using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tether.Browser.Tests.Hubs;

/// <summary>A page running wwwroot/hub-harness.js; each method calls one of its window functions.</summary>
public sealed class HubPage(HarnessPage page)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    public HarnessPage Harness => page;

    /// <summary>Starts <c>$.connection.hub</c>, the generated proxy's connection, with <paramref name="state"/> as the hub's caller state.</summary>
    /// <param name="transport">A transport name, or <c>auto</c>.</param>
    public Task<HubSnapshot> StartGeneratedAsync(string transport, object? state = null) =>
        CallAsync<HubSnapshot>("([t, s]) => startGeneratedHub(t, s)", transport, state);

    /// <summary>Starts <c>$.hubConnection(url)</c> with <c>createHubProxy("chat")</c>: no generated proxy.</summary>
    public Task<HubSnapshot> StartManualAsync(string transport, object? state = null) =>
        CallAsync<HubSnapshot>("([u, t, s]) => startManualHub(u, t, s)", TestHubs.Path, transport, state);

    /// <summary>Calls a hub method and returns how the call settled.</summary>
    /// <param name="method">The generated proxy's camel-cased name, or for <c>createHubProxy</c> the hub's name.</param>
    public Task<HubCallOutcome> InvokeAsync(int handle, string method, params object?[] args) =>
        CallAsync<HubCallOutcome>("([h, m, a]) => invokeHub(h, m, a)", handle, method, args);

    /// <summary>Calls a hub method and asserts that it returned <paramref name="expected"/> (as JSON).</summary>
    public async Task<HubCallOutcome> ExpectResultAsync(int handle, string method, string expected, params object?[] args)
    {
        var outcome = await InvokeAsync(handle, method, args);
        Assert.True(outcome.Error is null, $"{method} failed: {outcome}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(outcome.Result.GetRawText())), $"{method} returned {outcome.Result.GetRawText()}, expected {expected}");
        return outcome;
    }

    /// <summary>Calls <c>Echo</c> <paramref name="count"/> times one after the other; returns each round trip in milliseconds, timed in the page.</summary>
    public async Task<double[]> TimeEchoesAsync(int handle, int count) =>
        (await page.EvaluateAsync("([h, n]) => timeHubEchoes(h, n)", handle, count)).EnumerateArray().Select(t => t.GetDouble()).ToArray();

    /// <summary>Starts a call without waiting for it; returns its id.</summary>
    public async Task<int> BeginInvokeAsync(int handle, string method, params object?[] args) =>
        (await page.EvaluateAsync("([h, m, a]) => beginInvoke(h, m, a)", handle, method, args)).GetInt32();

    /// <summary>Returns the progress updates of a call once it reported at least <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForProgressAsync(int handle, int call, int count) =>
        (await CallAsync<HubCallOutcome>("([h, c, n]) => waitForProgress(h, c, n)", handle, call, count)).Progress;

    public Task<HubCallOutcome> EndInvokeAsync(int handle, int call) => CallAsync<HubCallOutcome>("([h, c]) => endInvoke(h, c)", handle, call);

    /// <summary>Returns once at least <paramref name="count"/> calls from the server arrived.</summary>
    public Task<HubSnapshot> WaitForCallsAsync(int handle, int count) => CallAsync<HubSnapshot>("([h, n]) => waitForHubCalls(h, n)", handle, count);

    public Task<HubSnapshot> WaitForEventAsync(int handle, string name, int times = 1) =>
        CallAsync<HubSnapshot>("([h, e, n]) => waitForHubEvent(h, e, n)", handle, name, times);

    public Task<HubSnapshot> SnapshotAsync(int handle) => CallAsync<HubSnapshot>("([h]) => hubSnapshot(h)", handle);

    /// <summary>Calls <c>stop()</c> and returns after the client raised <c>disconnected</c>.</summary>
    public Task<HubSnapshot> StopAsync(int handle) => CallAsync<HubSnapshot>("([h]) => stopHub(h)", handle);

    /// <summary>The hubs of the generated proxy (<c>$.connection.NAME</c>) and the names of their <c>server</c> functions.</summary>
    public async Task<Dictionary<string, string[]>> GeneratedProxyNamesAsync() =>
        JsonSerializer.Deserialize<Dictionary<string, string[]>>((await page.EvaluateAsync("() => generatedProxyNames()")).GetString()!)!;

    private async Task<T> CallAsync<T>(string expression, params object?[] args) =>
        (await page.EvaluateAsync(expression, args)).Deserialize<T>(JsonOptions)!;
}
