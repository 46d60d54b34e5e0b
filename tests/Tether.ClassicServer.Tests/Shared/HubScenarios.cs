namespace Tether.Shared;

/// <summary>
/// The hub scenarios, run against a server with the <c>chat</c> hub of the classic test host (or its Tether twin):
/// <c>Echo</c>, <c>Add</c>, <c>Send</c> (to all: <c>addMessage</c>), <c>Fail</c> (a HubException with data),
/// <c>CountTo</c> (progress), <c>JoinGroup</c>/<c>LeaveGroup</c>/<c>SendToGroup</c>, <c>Greet</c> (caller state) and
/// <c>Slow</c> (a result held until the test opens the gate, from another connection: <c>OpenGate</c>). Each returns a transcript that is the same for every client and server, so
/// tests assert it against the expected one and side by side.
/// </summary>
public static class HubScenarios
{
    /// <summary>The transcript of <see cref="EverythingOnce"/>.</summary>
    public static readonly IReadOnlyList<string> EverythingOnceTranscript =
    [
        "Echo=\"hello hub\"",
        "Add=5",
        "Send=null",
        "call:peer: broadcast-1",
        "CountTo=3 progress=[1,2,3]",
        "Greet=\"hello alice #1\" visits=1",
        "Greet=\"hello alice #2\" visits=2 name=\"alice\"",
        "call:G: in the group",
        "call:all: after leaving",
        "Fail: HubException: boom {\"code\":42}",
        "Missing: InvalidOperationException",
        "states: Disconnected->Connecting, Connecting->Connected, Connected->Disconnected",
    ];

    /// <summary>The transcript of <see cref="CutFailsPendingKeepsCallbacks"/> over a transport.</summary>
    public static IReadOnlyList<string> CutTranscript(string transport) =>
    [
        "pending failed",
        "call:before: cut",
        "call:after: cut",
        "Echo=\"still here\"",
        transport == ClientUnderTest.LongPolling
            ? LongPollingLifecycle
            : "lifecycle: state:Disconnected->Connecting, state:Connecting->Connected, state:Connected->Reconnecting, reconnecting, state:Reconnecting->Connected, reconnected",
    ];

    /// <summary>
    /// Long polling may be between two polls when the link is cut (the message that says the server runs the method
    /// has just ended a poll): then the next poll simply opens a new connection and no reconnect happens.
    /// </summary>
    private const string LongPollingLifecycle = "lifecycle: (a reconnect is not required over long polling)";

    /// <summary>
    /// Runs a scenario with the official client, then with Tether.Client (one after the other: they would see each
    /// other's broadcasts), and writes each transcript.
    /// </summary>
    /// <returns>The transcripts, by client kind.</returns>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> WithBothClients(
        Func<string, Task<IReadOnlyList<string>>> run, Action<string> write)
    {
        var transcripts = new Dictionary<string, IReadOnlyList<string>>();
        foreach (string kind in ClientUnderTest.Kinds.Reverse())
        {
            transcripts[kind] = await run(kind);
            write($"{kind}: {string.Join(" | ", transcripts[kind])}");
        }

        return transcripts;
    }

    /// <summary>
    /// Start, results, a void call with its client callback, progress, caller state both ways, groups (a call to the
    /// group arrives; after leaving, it does not), a HubException with data, an unknown method, stop.
    /// </summary>
    public static async Task<IReadOnlyList<string>> EverythingOnce(HubClientUnderTest client, string transport)
    {
        var transcript = new List<string>();
        await client.StartAsync(transport).DefaultTimeout();
        Assert.Equal(TetherTransport.Expected(transport), client.TransportName);

        transcript.Add("Echo=" + await client.InvokeAsync("Echo", "hello hub").DefaultTimeout());
        transcript.Add("Add=" + await client.InvokeAsync("Add", 2, 3).DefaultTimeout());
        transcript.Add("Send=" + await client.InvokeAsync("Send", "peer", "broadcast-1").DefaultTimeout());
        await client.Log.UntilMessage("peer: broadcast-1").DefaultTimeout();
        transcript.Add("call:peer: broadcast-1");

        var progress = new List<string>();
        var sawEveryReport = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> counting = client.InvokeWithProgressAsync("CountTo", value =>
        {
            progress.Add(value);
            if (progress.Count == 3)
            {
                sawEveryReport.TrySetResult();
            }
        }, 3);
        await sawEveryReport.Task.DefaultTimeout();
        await client.OpenGateAsync();
        transcript.Add($"CountTo={await counting.DefaultTimeout()} progress=[{string.Join(",", progress)}]");

        client.SetState("name", "alice");
        transcript.Add($"Greet={await client.InvokeAsync("Greet").DefaultTimeout()} visits={client.StateJson("visits")}");
        transcript.Add($"Greet={await client.InvokeAsync("Greet").DefaultTimeout()} visits={client.StateJson("visits")} name={client.StateJson("name")}");

        string group = "g" + Guid.NewGuid().ToString("N")[..8];
        await client.InvokeAsync("JoinGroup", group).DefaultTimeout();
        await client.InvokeAsync("SendToGroup", group, "G", "in the group").DefaultTimeout();
        await client.Log.UntilMessage("G: in the group").DefaultTimeout();
        transcript.Add("call:G: in the group");
        await client.InvokeAsync("LeaveGroup", group).DefaultTimeout();
        await client.InvokeAsync("SendToGroup", group, "G", "after leaving").DefaultTimeout();
        await client.InvokeAsync("Send", "all", "after leaving").DefaultTimeout();
        await client.Log.UntilMessage("all: after leaving").DefaultTimeout();
        Assert.DoesNotContain("G: after leaving", client.Log.Messages);
        transcript.Add("call:all: after leaving");

        Exception hubError = await Assert.ThrowsAnyAsync<Exception>(() => client.InvokeAsync("Fail", "boom").DefaultTimeout());
        transcript.Add("Fail: " + client.DescribeError(hubError));
        Exception missing = await Assert.ThrowsAnyAsync<Exception>(() => client.InvokeAsync("NoSuchMethod").DefaultTimeout());
        transcript.Add("Missing: " + missing.GetType().Name);

        await client.StopAsync().DefaultTimeout();
        transcript.Add("states: " + string.Join(", ", client.Log.States));
        Assert.Equal(["peer: broadcast-1", "G: in the group", "all: after leaving"], client.Log.Messages);
        return transcript;
    }

    /// <summary>
    /// Through a fault proxy: an invocation the server is running (<c>Slow</c> calls back first) when every connection
    /// is cut fails (it does not hang); the client reconnects, and the handlers registered before the cut still get calls.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CutFailsPendingKeepsCallbacks(HubClientUnderTest client, FaultProxy proxy, string transport)
    {
        var transcript = new List<string>();
        await client.StartAsync(transport, fast: true).DefaultTimeout();
        await client.InvokeAsync("Send", "before", "cut").DefaultTimeout();
        await client.Log.UntilMessage("before: cut").DefaultTimeout();

        Task<string> pending = client.InvokeAsync("Slow");
        await client.Log.UntilMessage("slow: started").DefaultTimeout();
        proxy.CutAll();
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => pending.DefaultTimeout());
        Assert.IsNotType<TimeoutException>(failure);
        transcript.Add("pending failed");
        if (transport == ClientUnderTest.WebSockets)
        {
            // The server has the invocation (it called back) and will answer on the socket that was cut: the client fails
            // it as it starts reconnecting. (Over the HTTP transports the result comes in the /send response, whose cut
            // fails it too.)
            Assert.Equal("Connection started reconnecting before invocation result was received.", failure.Message);
        }

        if (transport != ClientUnderTest.LongPolling)
        {
            await client.Log.UntilEvent("reconnected").DefaultTimeout();
        }

        transcript.Add("call:before: cut");
        await InvokeAfterCutAsync(client, transport, "Send", "after", "cut");
        await client.Log.UntilMessage("after: cut").DefaultTimeout();
        transcript.Add("call:after: cut");
        transcript.Add("Echo=" + await InvokeAfterCutAsync(client, transport, "Echo", "still here"));
        transcript.Add(transport == ClientUnderTest.LongPolling
            ? LongPollingLifecycle
            : "lifecycle: " + string.Join(", ", client.Log.Lifecycle.Where(e => !e.StartsWith("call:", StringComparison.Ordinal))));
        return transcript;
    }

    /// <summary>
    /// An invocation after the cut. Over long polling the client may notice the cut only now (its next poll fails):
    /// an invocation it refuses or fails because it is reconnecting is made again once it has reconnected.
    /// </summary>
    private static async Task<string> InvokeAfterCutAsync(HubClientUnderTest client, string transport, string method, params object[] args)
    {
        try
        {
            return await client.InvokeAsync(method, args).DefaultTimeout();
        }
        catch (InvalidOperationException) when (transport == ClientUnderTest.LongPolling)
        {
            await client.Log.UntilEvent("reconnected").DefaultTimeout();
            return await client.InvokeAsync(method, args).DefaultTimeout();
        }
    }
}
