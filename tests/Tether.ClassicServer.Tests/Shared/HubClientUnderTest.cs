// Shared by Tether.ClassicServer.Tests and Tether.Client.Tests (linked into the latter): one driver per hub client
// (Tether.Client's HubConnection, the official Microsoft.AspNet.SignalR.Client 2.4.2 HubConnection), so the same hub
// scenario runs unchanged with either client against either server. Results, progress, state and error data are
// compared as compact JSON text, which both clients can produce.
using System.Text.Json;
using Microsoft.AspNet.SignalR.Client;
using Newtonsoft.Json.Linq;
using Tether.Client;
using Official = Microsoft.AspNet.SignalR.Client;
using OfficialTransports = Microsoft.AspNet.SignalR.Client.Transports;
using TetherClient = Tether.Client;

namespace Tether.Shared;

/// <summary>One hub connection with a proxy for the <c>chat</c> hub; client calls of <c>addMessage(name, message)</c> are logged as messages <c>name: message</c>.</summary>
public abstract class HubClientUnderTest : IAsyncDisposable
{
    public const string Hub = "chat";

    /// <summary>What the client raised: lifecycle events, errors, and <c>call:name: message</c> for each <c>addMessage</c>.</summary>
    public ClientLog Log { get; } = new();

    public abstract string Kind { get; }

    public abstract string? TransportName { get; }

    public abstract string State { get; }

    public abstract string? ConnectionId { get; }

    /// <summary>The server address this client was created for.</summary>
    public string BaseUrl { get; private init; } = "";

    public static HubClientUnderTest Create(string kind, string baseUrl) => kind switch
    {
        ClientUnderTest.TetherKind => new TetherHub(baseUrl) { BaseUrl = baseUrl },
        ClientUnderTest.OfficialKind => new OfficialHub(baseUrl) { BaseUrl = baseUrl },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown client."),
    };

    /// <summary>
    /// Opens the hub's gate for this connection (what <c>CountTo</c> and <c>Slow</c> wait at) with a call from a second
    /// connection: a call on this one could wait behind the held invocation (Tether.Server runs one connection's
    /// WebSocket calls in order).
    /// </summary>
    public async Task OpenGateAsync()
    {
        await using HubClientUnderTest opener = Create(Kind, BaseUrl);
        await opener.StartAsync(ClientUnderTest.LongPolling).DefaultTimeout();
        await opener.InvokeAsync("OpenGate", ConnectionId!).DefaultTimeout();
        await opener.StopAsync().DefaultTimeout();
    }

    /// <summary>Starts over a transport; <paramref name="fast"/> shortens the reconnect delays (Tether.Client only: the official transports have fixed ones).</summary>
    public abstract Task StartAsync(string transport, bool fast = false);

    /// <summary>Invokes a hub method; its result as compact JSON (<c>null</c> for none).</summary>
    public abstract Task<string> InvokeAsync(string method, params object[] args);

    /// <summary>Invokes a hub method that reports progress; <paramref name="onProgress"/> gets each value as compact JSON, in order; the result as compact JSON.</summary>
    public abstract Task<string> InvokeWithProgressAsync(string method, Action<string> onProgress, params object[] args);

    public abstract void SetState(string name, string value);

    /// <summary>A state value as compact JSON, or <c>null</c> when absent.</summary>
    public abstract string StateJson(string name);

    /// <summary>What a hub error looks like: exception type, message, and error data as compact JSON.</summary>
    public abstract string DescribeError(Exception error);

    public abstract Task StopAsync();

    public abstract ValueTask DisposeAsync();

    protected void OnAddMessage(string name, string message) => Log.Add("call:" + name + ": " + message, name + ": " + message);

    private sealed class TetherHub : HubClientUnderTest
    {
        private readonly TetherClient.HubConnection _connection;
        private readonly TetherClient.IHubProxy _proxy;

        public TetherHub(string baseUrl)
        {
            _connection = new TetherClient.HubConnection(baseUrl);
            _proxy = _connection.CreateHubProxy(Hub);
            _proxy.On<string, string>("addMessage", OnAddMessage);
            _connection.StateChanged += c => Log.Add($"state:{c.OldState}->{c.NewState}");
            _connection.Error += e => Log.Add($"error:{e.GetType().Name}: {e.Message}");
            _connection.Reconnecting += () => Log.Add("reconnecting");
            _connection.Reconnected += () => Log.Add("reconnected");
            _connection.Closed += () => Log.Add("closed");
        }

        public TetherClient.HubConnection Connection => _connection;

        public override string Kind => ClientUnderTest.TetherKind;

        public override string? TransportName => _connection.Transport?.Name;

        public override string State => _connection.State.ToString();

        public override string? ConnectionId => _connection.ConnectionId;

        public override Task StartAsync(string transport, bool fast = false) => _connection.Start(TetherTransport.Create(transport, fast));

        public override async Task<string> InvokeAsync(string method, params object[] args) =>
            Json(await _proxy.Invoke<JsonElement?>(method, args));

        public override async Task<string> InvokeWithProgressAsync(string method, Action<string> onProgress, params object[] args) =>
            Json(await _proxy.Invoke<JsonElement?, JsonElement>(method, p => onProgress(p.GetRawText()), args));

        public override void SetState(string name, string value) => _proxy[name] = value;

        public override string StateJson(string name) => _proxy[name]?.ToJsonString() ?? "null";

        public override string DescribeError(Exception error) =>
            $"{error.GetType().Name}: {error.Message} {(error is TetherClient.HubException { ErrorData: JsonElement data } ? data.GetRawText() : "null")}";

        public override Task StopAsync() => Task.Run(() => _connection.Stop(TimeSpan.FromSeconds(5)));

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await _connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception)
            {
                // Cleanup only: the test has its verdict already.
            }
        }

        private static string Json(JsonElement? value) => value is { } element ? element.GetRawText() : "null";
    }

    private sealed class OfficialHub : HubClientUnderTest
    {
        private readonly Official.HubConnection _connection;
        private readonly Official.IHubProxy _proxy;
        private bool _disposed;

        public OfficialHub(string baseUrl)
        {
            _connection = new Official.HubConnection(baseUrl);
            _proxy = _connection.CreateHubProxy(Hub);
            _proxy.On<string, string>("addMessage", OnAddMessage);
            _connection.StateChanged += c => Log.Add($"state:{c.OldState}->{c.NewState}");
            _connection.Error += e => Log.Add($"error:{e.GetType().Name}: {e.Message}");
            _connection.Reconnecting += () => Log.Add("reconnecting");
            _connection.Reconnected += () => Log.Add("reconnected");
            _connection.Closed += () => Log.Add("closed");
        }

        public override string Kind => ClientUnderTest.OfficialKind;

        public override string? TransportName => _connection.Transport?.Name;

        public override string State => _connection.State.ToString();

        public override string? ConnectionId => _connection.ConnectionId;

        public override Task StartAsync(string transport, bool fast = false) => _connection.Start(transport switch
        {
            ClientUnderTest.WebSockets => new OfficialTransports.WebSocketTransport(),
            ClientUnderTest.ServerSentEvents => new OfficialTransports.ServerSentEventsTransport(),
            ClientUnderTest.LongPolling => new OfficialTransports.LongPollingTransport(),
            _ => new OfficialTransports.AutoTransport(new Microsoft.AspNet.SignalR.Client.Http.DefaultHttpClient()),
        });

        public override async Task<string> InvokeAsync(string method, params object[] args) =>
            Json(await _proxy.Invoke<JToken>(method, args));

        public override async Task<string> InvokeWithProgressAsync(string method, Action<string> onProgress, params object[] args) =>
            Json(await _proxy.Invoke<JToken, JToken>(method, p => onProgress(Json(p)), args));

        public override void SetState(string name, string value) => _proxy[name] = value;

        public override string StateJson(string name) => Json(_proxy[name]);

        public override string DescribeError(Exception error) =>
            $"{error.GetType().Name}: {error.Message} {(error is Official.HubException { ErrorData: JToken data } ? Json(data) : "null")}";

        public override Task StopAsync() => Task.Run(() => _connection.Stop(TimeSpan.FromSeconds(5)));

        public override async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await ClientUnderTest.StopAndDisposeAsync(_connection);
        }

        private static string Json(JToken? value) => value is null || value.Type == JTokenType.Null ? "null" : value.ToString(Newtonsoft.Json.Formatting.None);
    }
}
