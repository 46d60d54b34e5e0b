using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Diagnostics;
using Tether.Client.Internal;
using Tether.Client.Internal.Hubs;

namespace Tether.Client;

/// <summary>
/// A connection to the hubs of a classic ASP.NET SignalR 2.x server (or Tether.Server), with the API of the classic
/// <c>Microsoft.AspNet.SignalR.Client.HubConnection</c>: create proxies with <see cref="CreateHubProxy(string)"/> before
/// starting, then invoke hub methods and receive client-method calls through them.
/// </summary>
/// <remarks>
/// <para>
/// Everything <see cref="Connection"/> has works here: events, transports, headers, credentials, retry policy, the
/// bounded send queue and the dispatch loop. Client-method handlers run on that loop, one at a time and in order (and
/// <see cref="Connection.Received"/> gets the same calls as text). Results and progress do not wait behind handlers: a
/// result completes its invocation as soon as it arrives, so a handler may await an invocation without deadlocking.
/// </para>
/// <para>
/// Invocations waiting for their result fail with an <see cref="InvalidOperationException"/> when the connection
/// starts reconnecting (the result may be lost) or closes, as with the classic client.
/// </para>
/// </remarks>
public class HubConnection : Connection
{
    private readonly Dictionary<string, HubProxy> _hubs = new(StringComparer.OrdinalIgnoreCase);
    private readonly PendingInvocations _pending = new();

    /// <summary>Creates a connection to the hubs at <c><paramref name="url"/>/signalr</c>.</summary>
    /// <param name="url">The site's URL.</param>
    public HubConnection(string url)
        : this(url, useDefaultUrl: true)
    {
    }

    /// <summary>Creates a connection to the hubs at <paramref name="url"/>, or at <c><paramref name="url"/>/signalr</c>.</summary>
    /// <param name="url">The URL.</param>
    /// <param name="useDefaultUrl">Whether <c>/signalr</c> is appended to <paramref name="url"/>.</param>
    public HubConnection(string url, bool useDefaultUrl)
        : base(GetUrl(url, useDefaultUrl))
    {
        UseHubJsonDefaults();
    }

    /// <summary>Creates a connection to the hubs at <c><paramref name="url"/>/signalr</c> with a custom query string.</summary>
    /// <param name="url">The site's URL.</param>
    /// <param name="queryString">The query string, sent as given on every request.</param>
    public HubConnection(string url, string? queryString)
        : this(url, queryString, useDefaultUrl: true)
    {
    }

    /// <summary>Creates a connection with a custom query string.</summary>
    /// <param name="url">The URL.</param>
    /// <param name="queryString">The query string, sent as given on every request.</param>
    /// <param name="useDefaultUrl">Whether <c>/signalr</c> is appended to <paramref name="url"/>.</param>
    public HubConnection(string url, string? queryString, bool useDefaultUrl)
        : base(GetUrl(url, useDefaultUrl), queryString)
    {
        UseHubJsonDefaults();
    }

    /// <summary>Creates a connection to the hubs at <c><paramref name="url"/>/signalr</c> with custom query-string values.</summary>
    /// <param name="url">The site's URL.</param>
    /// <param name="queryString">The values, joined as <c>key=value&amp;…</c> without encoding, as the classic client does.</param>
    public HubConnection(string url, IDictionary<string, string> queryString)
        : this(url, queryString, useDefaultUrl: true)
    {
    }

    /// <summary>Creates a connection with custom query-string values.</summary>
    /// <param name="url">The URL.</param>
    /// <param name="queryString">The values, joined as <c>key=value&amp;…</c> without encoding.</param>
    /// <param name="useDefaultUrl">Whether <c>/signalr</c> is appended to <paramref name="url"/>.</param>
    public HubConnection(string url, IDictionary<string, string> queryString, bool useDefaultUrl)
        : base(GetUrl(url, useDefaultUrl), queryString)
    {
        UseHubJsonDefaults();
    }

    /// <summary>
    /// Opt-in: an invocation made while <see cref="ConnectionState.Reconnecting"/> waits in the bounded send queue
    /// (<see cref="Connection.SendQueueLimit"/>) and completes with its result once reconnected. Default
    /// <see langword="false"/>: such an invocation throws <see cref="InvalidOperationException"/> at once.
    /// </summary>
    public bool HoldInvocationsWhileReconnecting { get; set; }

    /// <summary>Creates (or returns) the proxy of a hub; only while disconnected, since the hub list is sent when connecting.</summary>
    /// <param name="hubName">The hub's name (case-insensitive on the server).</param>
    /// <returns>The proxy.</returns>
    /// <exception cref="InvalidOperationException">The connection is started.</exception>
    public IHubProxy CreateHubProxy(string hubName)
    {
        if (hubName is null)
        {
            throw new ArgumentNullException(nameof(hubName));
        }

        if (State != ConnectionState.Disconnected)
        {
            throw new InvalidOperationException(Resources.ProxiesCannotBeAddedConnectionStarted);
        }

        lock (_hubs)
        {
            if (!_hubs.TryGetValue(hubName, out HubProxy? proxy))
            {
                proxy = new HubProxy(this, hubName);
                _hubs[hubName] = proxy;
            }

            return proxy;
        }
    }

    /// <summary>The hub list, <c>[{"Name":"chat"}]</c>, sent as <c>connectionData</c> on every request.</summary>
    /// <returns>The JSON text.</returns>
    protected override string? OnSending()
    {
        lock (_hubs)
        {
            return HubInvocationWriter.HubList(_hubs.Keys.ToArray(), JsonSerializerOptions);
        }
    }

    internal override DispatchItem? OnMessageArrived(ReadOnlyMemory<byte> raw)
    {
        HubServerMessage? message = HubServerMessage.TryParse(raw);
        switch (message?.Kind)
        {
            case HubMessageKind.Progress:
                if (message.InvocationId is not { } progressId || !_pending.Progress(progressId, message.ProgressData))
                {
                    Trace(TraceLevels.Messages, "Callback with id " + message.InvocationId + " not found!");
                }

                return null;
            case HubMessageKind.Result:
                if (!_pending.Complete(message.InvocationId!, message))
                {
                    Trace(TraceLevels.Messages, "Callback with id " + message.InvocationId + " not found!");
                }

                return null;
            default:
                DispatchItem item = base.OnMessageArrived(raw)!;
                item.Parsed = message;
                return item;
        }
    }

    internal override void OnMessageDispatching(DispatchItem message)
    {
        if (message.Parsed is not HubServerMessage { Kind: HubMessageKind.ClientInvocation } call)
        {
            return;
        }

        HubProxy? proxy;
        lock (_hubs)
        {
            _hubs.TryGetValue(call.Hub, out proxy);
        }

        if (proxy is null)
        {
            return;
        }

        if (call.State is { } state)
        {
            proxy.ApplyState(state);
        }

        proxy.InvokeEvent(call.Method, call.Arguments);
    }

    internal override void OnConnectionLost(bool closed) =>
        _pending.FailAll(closed ? Resources.InvocationConnectionClosed : Resources.InvocationReconnecting);

    /// <summary>Sends one invocation and awaits its result; argument errors and a connection that cannot send throw at once.</summary>
    internal Task<JsonElement?> InvokeAsync(
        HubProxy proxy,
        string method,
        Action<Utf8JsonWriter> writeArguments,
        Action<JsonElement>? onProgress,
        CancellationToken cancellationToken)
    {
        if (method is null)
        {
            throw new ArgumentNullException(nameof(method));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!HoldInvocationsWhileReconnecting && State == ConnectionState.Reconnecting)
        {
            throw new InvalidOperationException(Resources.InvokeWhileReconnecting);
        }

        PendingInvocation invocation = _pending.Add(proxy, onProgress);
        long startTimestamp = Stopwatch.GetTimestamp();
        Task send;
        try
        {
            string json = HubInvocationWriter.Invocation(invocation.Id, proxy.Name, method, writeArguments, proxy.StateSnapshot(), JsonSerializerOptions);
            send = SendAsync(json, cancellationToken);
        }
        catch
        {
            _pending.Remove(invocation);
            throw;
        }

        return MeasureAsync(AwaitResultAsync(invocation, send, cancellationToken), proxy.Name, method, startTimestamp);
    }

    private static string GetUrl(string url, bool useDefaultUrl)
    {
        if (url is null)
        {
            throw new ArgumentNullException(nameof(url));
        }

        if (!url.EndsWith("/", StringComparison.Ordinal))
        {
            url += "/";
        }

        return useDefaultUrl ? url + "signalr" : url;
    }

    /// <summary>Records the invocation's latency and outcome once it ends, however it ends (result, error, loss, cancellation).</summary>
    private static async Task<JsonElement?> MeasureAsync(Task<JsonElement?> invocation, string hub, string method, long startTimestamp)
    {
        bool succeeded = false;
        try
        {
            JsonElement? result = await invocation.ConfigureAwait(false);
            succeeded = true;
            return result;
        }
        finally
        {
            ClientMetrics.InvocationCompleted(hub, method, startTimestamp, succeeded);
        }
    }

    private async Task<JsonElement?> AwaitResultAsync(PendingInvocation invocation, Task send, CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(() =>
            {
                if (_pending.Remove(invocation))
                {
                    invocation.Cancel(cancellationToken);
                }
            })
            : default;
        // Over the HTTP transports the result is the /send response, but a failure (reconnecting, closed) may come
        // first: whichever ends first decides. A send that fails first fails the invocation with its error.
        Task first = await Task.WhenAny(send, invocation.Completion).ConfigureAwait(false);
        if (first == send && send.Status != TaskStatus.RanToCompletion)
        {
            _pending.Remove(invocation);
            await send.ConfigureAwait(false);
        }
        else if (!send.IsCompleted)
        {
            // Observed here; the connection reports a send that fails through Error.
            _ = send.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        return await invocation.Completion.ConfigureAwait(false);
    }

    /// <summary>As Json.NET read hub values: property names case-insensitive, numbers also from strings.</summary>
    private void UseHubJsonDefaults() =>
        JsonSerializerOptions = new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
}
