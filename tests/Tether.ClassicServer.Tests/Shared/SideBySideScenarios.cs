// Shared by Tether.ClassicServer.Tests and Tether.Client.Tests (linked into the latter): scenarios that run unchanged
// with either client against either server, returning what the client observed, so a test can compare the two clients.
namespace Tether.Shared;

/// <summary>What one client observed in one scenario.</summary>
/// <param name="Client">Which client.</param>
/// <param name="Transport">The transport in use once started.</param>
/// <param name="Lifecycle">State changes and reconnecting/reconnected/slow/closed, in order.</param>
/// <param name="Messages">The received text, in order.</param>
/// <param name="Errors">The Error events (not compared between clients: their exception types differ by design).</param>
/// <param name="Description">Everything, for test output.</param>
public sealed record Observed(
    string Client,
    string Transport,
    IReadOnlyList<string> Lifecycle,
    IReadOnlyList<string> Messages,
    IReadOnlyList<string> Errors,
    string Description)
{
    public static Observed From(ClientUnderTest client, string transport) =>
        new(client.Kind, transport, client.Log.Lifecycle, client.Log.Messages, client.Log.Errors, client.Log.Describe());
}

public static class SideBySideScenarios
{
    /// <summary>The lifecycle of a start, one cut with a reconnect, and a stop, as both clients must raise it.</summary>
    public static readonly IReadOnlyList<string> CutAndReconnectLifecycle =
    [
        "state:Disconnected->Connecting",
        "state:Connecting->Connected",
        "state:Connected->Reconnecting",
        "reconnecting",
        "state:Reconnecting->Connected",
        "reconnected",
        "state:Connected->Disconnected",
        "closed",
    ];

    /// <summary>The messages of <see cref="CutAndReconnect"/>, in order, once each, as both clients must receive them.</summary>
    public static IReadOnlyList<string> CutAndReconnectMessages =>
        ["joined:G", .. Enumerable.Range(0, 3 * PerPhase).Select(i => $"m{i:D3}"), "after"];

    /// <summary>Messages per phase of <see cref="CutAndReconnect"/>: before the cut, while cut off, after the reconnect.</summary>
    public const int PerPhase = 20;

    /// <summary>
    /// A client on <c>/groups</c> through <paramref name="proxy"/> joins a group that a second, direct client streams
    /// numbered messages to (<c>to:G:m000</c>...). After <see cref="PerPhase"/> messages every TCP connection of the
    /// client is cut and new ones are refused; <see cref="PerPhase"/> more are sent while it is cut off, and at least
    /// one reconnect attempt is refused; then connections are allowed again, the client reconnects (with its message
    /// id and groups token), <see cref="PerPhase"/> more are sent, the client sends to the group itself, and stops.
    /// </summary>
    /// <returns>What the client observed: the scenario itself asserts nothing about it.</returns>
    public static async Task<Observed> CutAndReconnect(string kind, FaultProxy proxy, string directGroupsUrl, string transport)
    {
        string group = "g" + Guid.NewGuid().ToString("N")[..8];
        await using var sender = ClientUnderTest.Create(ClientUnderTest.TetherKind, directGroupsUrl);
        await sender.StartAsync(ClientUnderTest.WebSockets).DefaultTimeout();
        await using var client = ClientUnderTest.Create(kind, proxy.Url("/groups"));
        await client.StartAsync(transport).DefaultTimeout();
        string name = client.TransportName!;

        await client.SendAsync("join:" + group).DefaultTimeout();
        await client.Log.UntilMessage("joined:" + group).DefaultTimeout();
        int sent = 0;

        async Task Stream(int count)
        {
            for (int end = sent + count; sent < end; sent++)
            {
                await sender.SendAsync($"to:{group}:m{sent:D3}").DefaultTimeout();
            }
        }

        // Before the cut, over the live transport.
        await Stream(PerPhase);
        await client.Log.UntilMessages(1 + PerPhase).DefaultTimeout();

        // The cut: new connections are refused until the next phase is on the server and a reconnect attempt failed,
        // so those messages can only reach the client through a reconnect that carries its cursor.
        proxy.RefuseNew = true;
        int refusedBefore = proxy.TotalRefused;
        proxy.CutAll();
        await client.Log.UntilEvent("reconnecting").DefaultTimeout();
        await Stream(PerPhase);
        await proxy.WaitForRefused(refusedBefore + 1).DefaultTimeout();
        proxy.RefuseNew = false;
        await client.Log.UntilEvent("reconnected").DefaultTimeout();

        // After the reconnect: the stream goes on, and the client still sends.
        await Stream(PerPhase);
        await client.Log.UntilMessages(1 + sent).DefaultTimeout();
        await client.SendAsync($"to:{group}:after").DefaultTimeout();
        await client.Log.UntilMessage("after").DefaultTimeout();

        await client.StopAsync();
        await client.Log.UntilEvent("closed").DefaultTimeout();

        // The group's name is unique to the run: compare it as "G".
        var observed = Observed.From(client, name);
        return observed with { Messages = [.. observed.Messages.Select(m => m.Replace(group, "G", StringComparison.Ordinal))] };
    }

    /// <summary>The lifecycle of a start, a stall (silence, then the keep-alive timeout), a resume, and a stop.</summary>
    public static readonly IReadOnlyList<string> StallLifecycle =
    [
        "state:Disconnected->Connecting",
        "state:Connecting->Connected",
        "slow",
        "state:Connected->Reconnecting",
        "reconnecting",
        "state:Reconnecting->Connected",
        "reconnected",
        "state:Connected->Disconnected",
        "closed",
    ];

    /// <summary>
    /// A client on <c>/echo</c> through <paramref name="proxy"/>; the proxy stops forwarding (nothing is closed), so no
    /// keep-alive arrives: the client must raise ConnectionSlow, then go Reconnecting; the proxy then forwards again,
    /// the client reconnects, echoes one message and stops. Only for transports with keep-alive monitoring.
    /// </summary>
    /// <returns>What the client observed, and how long after the stall began it raised ConnectionSlow and Reconnecting.</returns>
    public static async Task<(Observed Observed, TimeSpan Slow, TimeSpan Reconnecting)> StallAndResume(string kind, FaultProxy proxy, string transport)
    {
        await using var client = ClientUnderTest.Create(kind, proxy.Url("/echo"));
        await client.StartAsync(transport).DefaultTimeout();
        string name = client.TransportName!;

        var stalled = System.Diagnostics.Stopwatch.StartNew();
        proxy.Stall();
        TimeSpan slow;
        TimeSpan reconnecting;
        try
        {
            await client.Log.UntilEvent("slow").DefaultTimeout();
            slow = stalled.Elapsed;
            await client.Log.UntilEvent("reconnecting").DefaultTimeout();
            reconnecting = stalled.Elapsed;
        }
        finally
        {
            proxy.Resume();
        }

        await client.Log.UntilEvent("reconnected").DefaultTimeout();
        await client.SendAsync("after stall").DefaultTimeout();
        await client.Log.UntilMessage("after stall").DefaultTimeout();
        await client.StopAsync();
        await client.Log.UntilEvent("closed").DefaultTimeout();
        return (Observed.From(client, name), slow, reconnecting);
    }

    /// <summary>The lifecycle of a start, then the server vanishing until the client gives up.</summary>
    public static readonly IReadOnlyList<string> GiveUpLifecycle =
    [
        "state:Disconnected->Connecting",
        "state:Connecting->Connected",
        "state:Connected->Reconnecting",
        "reconnecting",
        "state:Reconnecting->Disconnected",
        "closed",
    ];

    /// <summary>
    /// A client on <c>/echo</c> through <paramref name="proxy"/> (its own proxy: the scenario owns it); the server
    /// vanishes (every connection cut, new ones refused) and never comes back: the client must reconnect until the
    /// server's DisconnectTimeout, then raise Error with a TimeoutException and close.
    /// </summary>
    /// <returns>What the client observed, the type of the last error before Closed, and how long after the cut it closed.</returns>
    public static async Task<(Observed Observed, string? LastErrorType, TimeSpan ClosedAfter)> ServerVanishes(string kind, FaultProxy proxy, string transport)
    {
        await using var client = ClientUnderTest.Create(kind, proxy.Url("/echo"));
        await client.StartAsync(transport).DefaultTimeout();
        string name = client.TransportName!;

        var cut = System.Diagnostics.Stopwatch.StartNew();
        proxy.RefuseNew = true;
        proxy.CutAll();
        await client.Log.UntilEvent("closed").DefaultTimeout();
        var closedAfter = cut.Elapsed;

        var events = client.Log.Events;
        int closed = events.ToList().IndexOf("closed");
        string? lastError = events.Take(closed).LastOrDefault(e => e.StartsWith("error:", StringComparison.Ordinal));
        string? lastErrorType = lastError?["error:".Length..].Split(':')[0];
        // Server-Sent Events wait ReconnectDelay (2 s) in Connected before going Reconnecting (both clients): whether
        // ConnectionSlow comes within that wait depends on when the last keep-alive came before the cut, so it is left
        // out of the comparison.
        var observed = Observed.From(client, name);
        return (observed with { Lifecycle = [.. observed.Lifecycle.Where(e => e != "slow")] }, lastErrorType, closedAfter);
    }
}
