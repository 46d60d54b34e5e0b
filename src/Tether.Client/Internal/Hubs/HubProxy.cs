using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Hubs;

namespace Tether.Client.Internal.Hubs;

/// <summary>The <see cref="IHubProxy"/> of <see cref="HubConnection.CreateHubProxy(string)"/>: its state, its subscriptions, and invocations through the connection.</summary>
internal sealed class HubProxy : IHubProxy
{
    private readonly Dictionary<string, JsonNode?> _state = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.OrdinalIgnoreCase);

    public HubProxy(HubConnection connection, string name)
    {
        Connection = connection;
        Name = name;
    }

    public HubConnection Connection { get; }

    /// <summary>The hub's name as given to <see cref="HubConnection.CreateHubProxy(string)"/>, sent as <c>H</c>.</summary>
    public string Name { get; }

    public JsonSerializerOptions JsonSerializerOptions => Connection.JsonSerializerOptions;

    public JsonNode? this[string name]
    {
        get
        {
            lock (_state)
            {
                return _state.TryGetValue(name, out JsonNode? value) ? value : null;
            }
        }

        set
        {
            lock (_state)
            {
                // A node belongs to one parent; a copy keeps the caller's node (and one taken from another proxy) usable.
                _state[name] = value?.Parent is null ? value : JsonNode.Parse(value.ToJsonString());
            }
        }
    }

    public Subscription Subscribe(string eventName)
    {
        if (eventName is null)
        {
            throw new ArgumentNullException(nameof(eventName));
        }

        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(eventName, out Subscription? subscription))
            {
                subscription = new Subscription { ErrorSink = Connection.ReportHandlerError };
                _subscriptions.Add(eventName, subscription);
            }

            return subscription;
        }
    }

    public Task Invoke(string method, params object?[] args) => Send(method, args, null, CancellationToken.None);

    public Task<T> Invoke<T>(string method, params object?[] args) => InvokeAsync<T>(method, CancellationToken.None, args);

    public Task Invoke<T>(string method, Action<T> onProgress, params object?[] args) =>
        Send(method, args, Progress(onProgress ?? throw new ArgumentNullException(nameof(onProgress))), CancellationToken.None);

    public Task<TResult> Invoke<TResult, TProgress>(string method, Action<TProgress> onProgress, params object?[] args) =>
        ReadAsync<TResult>(Send(method, args, Progress(onProgress ?? throw new ArgumentNullException(nameof(onProgress))), CancellationToken.None));

    public Task InvokeAsync(string method, CancellationToken cancellationToken, params object?[] args) => Send(method, args, null, cancellationToken);

    public Task<T> InvokeAsync<T>(string method, CancellationToken cancellationToken, params object?[] args) =>
        ReadAsync<T>(Send(method, args, null, cancellationToken));

    public Task<JsonElement?> InvokeJsonAsync(string method, IReadOnlyList<JsonNode?> arguments, Action<JsonElement>? onProgress = null, CancellationToken cancellationToken = default) =>
        Call(method, arguments ?? throw new ArgumentNullException(nameof(arguments)), HubInvocationWriter.WriteNode, onProgress, cancellationToken);

    /// <summary>A snapshot of the state, sent with an invocation.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> StateSnapshot()
    {
        lock (_state)
        {
            return _state.Count == 0 ? [] : _state.Select(pair => new KeyValuePair<string, JsonNode?>(pair.Key, pair.Value)).ToArray();
        }
    }

    /// <summary>Takes the state the server set (<c>S</c> of a result or of a client-method call).</summary>
    public void ApplyState(JsonElement state)
    {
        lock (_state)
        {
            foreach (JsonProperty property in state.EnumerateObject())
            {
                _state[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }
    }

    /// <summary>Raises the subscription of a client method the hub called, if any.</summary>
    public void InvokeEvent(string eventName, IList<JsonElement> arguments)
    {
        Subscription? subscription;
        lock (_subscriptions)
        {
            _subscriptions.TryGetValue(eventName, out subscription);
        }

        subscription?.OnReceived(arguments);
    }

    private async Task<T> ReadAsync<T>(Task<JsonElement?> invocation) =>
        HubJson.Convert<T>(await invocation.ConfigureAwait(false), JsonSerializerOptions);

    private Action<JsonElement> Progress<T>(Action<T> onProgress)
    {
        JsonSerializerOptions options = JsonSerializerOptions;
        return data => onProgress(HubJson.Convert<T>(data, options));
    }

    private Task<JsonElement?> Send(string method, object?[] args, Action<JsonElement>? onProgress, CancellationToken cancellationToken) =>
        Call(method, args ?? throw new ArgumentNullException(nameof(args)), HubJson.Write, onProgress, cancellationToken);

    /// <summary>Invokes through the connection, writing each argument with <paramref name="write"/>.</summary>
    private Task<JsonElement?> Call<TArgument>(
        string method,
        IEnumerable<TArgument> arguments,
        Action<Utf8JsonWriter, TArgument, JsonSerializerOptions> write,
        Action<JsonElement>? onProgress,
        CancellationToken cancellationToken)
    {
        JsonSerializerOptions options = JsonSerializerOptions;
        return Connection.InvokeAsync(
            this,
            method,
            writer =>
            {
                foreach (TArgument argument in arguments)
                {
                    write(writer, argument, options);
                }
            },
            onProgress,
            cancellationToken);
    }
}
