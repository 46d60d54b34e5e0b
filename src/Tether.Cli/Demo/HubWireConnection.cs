using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tether.Client;

namespace Tether.Cli.Demo;

/// <summary>
/// A Tether.Client <see cref="Connection"/> to a classic hub endpoint that speaks the hub wire itself: it names one hub
/// in <c>connectionData</c>, sends each invocation as <c>{"I":"0","H":"chat","M":"Echo","A":[…]}</c>, matches the
/// replies (<c>{"I":"0","R":…}</c>, <c>{"I":"0","E":…}</c>) to their invocations by id, and raises
/// <see cref="ClientCall"/> for each call from the server (<c>{"H":"chat","M":"addMessage","A":[…]}</c>). Just what
/// <c>tether demo</c> shows, not a hub client API: no state, no progress, no proxies.
/// </summary>
internal sealed class HubWireConnection : Connection
{
    private readonly string _hub;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<HubReply>> _pending = new();
    private int _nextId = -1;

    /// <summary>Creates the connection.</summary>
    /// <param name="url">The hub endpoint, e.g. <c>http://127.0.0.1:5000/signalr</c>.</param>
    /// <param name="hub">The hub to call and to receive calls from, e.g. <c>chat</c>.</param>
    public HubWireConnection(string url, string hub)
        : base(url)
    {
        _hub = hub;
        Received += OnMessage;
        Closed += () => FailPending(new InvalidOperationException("The connection closed before the hub answered."));
    }

    /// <summary>Raised for each call from the server to this hub's clients: the method name and its arguments.</summary>
    public event Action<string, JsonArray>? ClientCall;

    /// <summary>Raised with each invocation just before it is sent.</summary>
    public event Action<JsonObject>? Invoking;

    /// <summary>Sends an invocation and completes with the server's reply.</summary>
    /// <param name="method">The hub method, e.g. <c>Echo</c>.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="cancellationToken">Stops waiting for the reply.</param>
    /// <returns>The reply, which may carry an error.</returns>
    public async Task<HubReply> InvokeAsync(string method, JsonArray args, CancellationToken cancellationToken)
    {
        string id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<HubReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            var invocation = new JsonObject { ["I"] = id, ["H"] = _hub, ["M"] = method, ["A"] = args.DeepClone() };
            Invoking?.Invoke(invocation);
            await SendAsync(invocation.ToJsonString(), cancellationToken).ConfigureAwait(false);
            return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <inheritdoc />
    protected override string? OnSending() => new JsonArray(new JsonObject { ["Name"] = _hub }).ToJsonString();

    private void OnMessage(string text)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return; // Not hub traffic: a plain message is no answer to anything here.
        }

        if (message is null)
        {
            return;
        }

        if (message["I"] is JsonValue id && !message.ContainsKey("P"))
        {
            if (_pending.TryRemove(id.ToString(), out var reply))
            {
                reply.TrySetResult(HubReply.From(message));
            }
        }
        else if (message["H"] is JsonValue hub && hub.TryGetValue(out string? hubName) && string.Equals(hubName, _hub, StringComparison.OrdinalIgnoreCase)
            && message["M"] is JsonValue method && method.TryGetValue(out string? methodName) && message["A"] is JsonArray args)
        {
            ClientCall?.Invoke(methodName, args);
        }
    }

    private void FailPending(Exception error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var reply))
            {
                reply.TrySetException(error);
            }
        }
    }
}
