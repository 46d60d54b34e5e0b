using System.Text.Json;
using System.Text.Json.Serialization;
using Tether.Client;

namespace Tether.Shared;

/// <summary>Source-generated type information for the trimming-safe hub calls.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
public sealed partial class HubTestJsonContext : JsonSerializerContext;

/// <summary>
/// What Tether.Client's HubConnection does beyond the classic client, against a server with the <c>chat</c> hub of the
/// classic test host (or its Tether twin); see <see cref="HubScenarios"/> for the hub's methods.
/// </summary>
public static class HubBeyondClassicScenarios
{
    /// <summary>A HubConnection with the <c>chat</c> proxy, started over a transport.</summary>
    public static async Task<(HubConnection Connection, IHubProxy Chat)> StartAsync(string baseUrl, string transport, Action<HubConnection>? configure = null)
    {
        var connection = new HubConnection(baseUrl);
        IHubProxy chat = connection.CreateHubProxy(HubClientUnderTest.Hub);
        configure?.Invoke(connection);
        await connection.Start(TetherTransport.Create(transport, fast: true)).DefaultTimeout();
        return (connection, chat);
    }

    /// <summary>
    /// Handlers may invoke and wait: an async handler awaits an invocation, and a plain handler even blocks on one
    /// (<c>.Result</c>), which deadlocks the classic client: results do not wait behind handlers.
    /// </summary>
    public static async Task HandlersMayAwaitInvocations(string baseUrl, string transport)
    {
        var (connection, chat) = await StartAsync(baseUrl, transport);
        await using var _ = connection;
        var fromAsync = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fromBlocking = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        chat.On<string, string>("addMessage", async (name, message) => fromAsync.TrySetResult(await chat.Invoke<string>("Echo", "async " + message)));
        chat.On<string, string>("addMessage", (name, message) => fromBlocking.TrySetResult(chat.Invoke<string>("Echo", "blocking " + message).Result));

        await chat.Invoke("Send", "me", "hi").DefaultTimeout();

        Assert.Equal("async hi", await fromAsync.Task.DefaultTimeout());
        Assert.Equal("blocking hi", await fromBlocking.Task.DefaultTimeout());
    }

    /// <summary>A handler that throws (or an async one that faults) is reported through Error; the other handlers still run.</summary>
    public static async Task FailingHandlersAreReportedAndOthersRun(string baseUrl, string transport)
    {
        var (connection, chat) = await StartAsync(baseUrl, transport);
        await using var _ = connection;
        var errors = new List<string>();
        var twoErrors = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Error += e =>
        {
            lock (errors)
            {
                errors.Add(e.Message);
                if (errors.Count == 2)
                {
                    twoErrors.TrySetResult();
                }
            }
        };
        var ran = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        chat.On<string, string>("addMessage", (_, _) => throw new InvalidOperationException("sync handler failed"));
        chat.On<string, string>("addMessage", async (_, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("async handler failed");
        });
        chat.On<string, string>("addMessage", (_, message) => ran.TrySetResult(message));

        await chat.Invoke("Send", "me", "still delivered").DefaultTimeout();

        Assert.Equal("still delivered", await ran.Task.DefaultTimeout());
        await twoErrors.Task.DefaultTimeout();
        Assert.Equal(["async handler failed", "sync handler failed"], errors.Order());
    }

    /// <summary>The token abandons an invocation whose result has not come; the connection goes on.</summary>
    public static async Task InvokeAsyncIsCancellable(string baseUrl, string transport)
    {
        var (connection, chat) = await StartAsync(baseUrl, transport);
        await using var _ = connection;
        using var cts = new CancellationTokenSource();
        Task<string> slow = chat.InvokeAsync<string>("Slow", cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.DefaultTimeout());

        // Both servers run one connection's calls side by side (on WebSockets too), so Add is answered while Slow is
        // still held; then Slow is released (from another connection) and its late result is ignored.
        Assert.Equal(5, await chat.InvokeAsync<int>("Add", CancellationToken.None, 2, 3).DefaultTimeout());
        await OpenGateAsync(baseUrl, connection.ConnectionId!);
        Assert.Equal(7, await chat.InvokeAsync<int>("Add", CancellationToken.None, 3, 4).DefaultTimeout());
        Assert.Equal(ConnectionState.Connected, connection.State);
    }

    /// <summary>Opens the gate of <paramref name="connectionId"/> with a call from a second connection, over long polling.</summary>
    private static async Task OpenGateAsync(string baseUrl, string connectionId)
    {
        var (opener, chat) = await StartAsync(baseUrl, ClientUnderTest.LongPolling);
        await using var _ = opener;
        await chat.Invoke("OpenGate", connectionId).DefaultTimeout();
    }

    /// <summary>Trimming-safe calls: JSON arguments and a source-generated result type, a handler bound the same way, and a hub event read as an async stream that ends when the connection stops.</summary>
    public static async Task JsonTypeInfoCallsAndAsyncStream(string baseUrl, string transport)
    {
        var (connection, chat) = await StartAsync(baseUrl, transport);
        await using var _ = connection;
        var firstArgument = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        chat.On("addMessage", HubTestJsonContext.Default.String, name => firstArgument.TrySetResult(name));

        Assert.Equal(5, await chat.InvokeAsync("Add", HubTestJsonContext.Default.Int32, CancellationToken.None, 2, 3).DefaultTimeout());
        Assert.Equal("JSON in", await chat.InvokeAsync("Echo", HubTestJsonContext.Default.String, CancellationToken.None, "JSON in").DefaultTimeout());
        JsonElement? nothing = await chat.InvokeJsonAsync("Send", ["typed", "call"]).DefaultTimeout();
        Assert.Null(nothing);
        Assert.Equal("typed", await firstArgument.Task.DefaultTimeout());

        // The subscription starts with the first MoveNextAsync, before any await: the calls below cannot be missed.
        var read = new List<string>();
        await using IAsyncEnumerator<IList<JsonElement>> calls = chat.ReadAllAsync("addMessage").GetAsyncEnumerator();
        ValueTask<bool> next = calls.MoveNextAsync();
        for (int i = 1; i <= 3; i++)
        {
            await chat.Invoke("Send", "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)).DefaultTimeout();
        }

        while (await next.AsTask().DefaultTimeout())
        {
            read.Add(calls.Current[0].GetString() + ": " + calls.Current[1].GetString());
            if (read.Count == 3)
            {
                await connection.StopAsync().DefaultTimeout();
            }

            next = calls.MoveNextAsync();
        }

        Assert.Equal(["n: 1", "n: 2", "n: 3"], read);
    }

    /// <summary>
    /// While the connection is reconnecting, an invocation fails at once by default; with
    /// <see cref="HubConnection.HoldInvocationsWhileReconnecting"/> it waits in the send queue and completes with its
    /// result once reconnected.
    /// </summary>
    public static async Task HeldWhileReconnectingOnlyWhenAskedTo(FaultProxy proxy, string transport)
    {
        var (held, heldChat) = await StartAsync(proxy.BaseUri.ToString(), transport, c => c.HoldInvocationsWhileReconnecting = true);
        await using HubConnection heldConnection = held;
        var (plain, plainChat) = await StartAsync(proxy.BaseUri.ToString(), transport);
        await using HubConnection plainConnection = plain;
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothReconnecting = new CountdownEvent(2);
        held.Reconnecting += () => Signal(bothReconnecting, reconnecting);
        plain.Reconnecting += () => Signal(bothReconnecting, reconnecting);

        proxy.RefuseNew = true;
        proxy.CutAll();
        await reconnecting.Task.DefaultTimeout();

        Assert.Throws<InvalidOperationException>(() => { GC.KeepAlive(plainChat.Invoke<string>("Echo", "not held")); });
        Task<string> waiting = heldChat.Invoke<string>("Echo", "held");
        Assert.False(waiting.IsCompleted);

        proxy.RefuseNew = false;
        Assert.Equal("held", await waiting.DefaultTimeout());
        Assert.Equal(ConnectionState.Connected, held.State);
    }

    private static void Signal(CountdownEvent countdown, TaskCompletionSource done)
    {
        if (countdown.Signal())
        {
            done.TrySetResult();
        }
    }
}
