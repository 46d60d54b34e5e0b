using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Hubs;
using Tether.Client.Internal.Hubs;

namespace Tether.Client;

/// <summary>
/// A client-side proxy for one server hub, from <see cref="HubConnection.CreateHubProxy(string)"/>: invokes hub methods
/// and receives the client methods the hub calls (with the <c>On</c> extensions of <see cref="HubProxyExtensions"/>).
/// </summary>
public interface IHubProxy
{
    /// <summary>
    /// The caller state sent with every invocation (<c>Clients.Caller.name</c> on the server) and updated from what the
    /// server sets; names are case-insensitive. <c>proxy["name"] = "text"</c> works as with the classic client's
    /// <c>JToken</c>: <see cref="JsonNode"/> converts from strings, numbers and booleans.
    /// </summary>
    /// <param name="name">The state's name.</param>
    JsonNode? this[string name] { get; set; }

    /// <summary>
    /// How arguments, results and client-method arguments are (de)serialized: the connection's
    /// <see cref="Connection.JsonSerializerOptions"/>, whose type information is used (for native AOT, give it a
    /// source-generated <c>TypeInfoResolver</c>).
    /// </summary>
    JsonSerializerOptions JsonSerializerOptions { get; }

    /// <summary>The subscription for a client method (created on first use; names are case-insensitive).</summary>
    /// <param name="eventName">The client method's name.</param>
    /// <returns>The subscription.</returns>
    Subscription Subscribe(string eventName);

    /// <summary>Invokes a hub method without a result.</summary>
    /// <param name="method">The hub method.</param>
    /// <param name="args">Its arguments, serialized with <see cref="JsonSerializerOptions"/>.</param>
    /// <returns>Completes when the server returned; faults with <see cref="HubException"/> for a hub error, <see cref="InvalidOperationException"/> for another error or when the connection is lost first.</returns>
    Task Invoke(string method, params object?[] args);

    /// <summary>Invokes a hub method and reads its result.</summary>
    /// <typeparam name="T">The result's type.</typeparam>
    /// <param name="method">The hub method.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The result (<see langword="default"/> for none).</returns>
    Task<T> Invoke<T>(string method, params object?[] args);

    /// <summary>Invokes a hub method that reports progress (an <c>IProgress&lt;T&gt;</c> parameter on the server).</summary>
    /// <typeparam name="T">The progress values' type.</typeparam>
    /// <param name="method">The hub method.</param>
    /// <param name="onProgress">Called for each progress value, in order, on the thread pool, before the task completes.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>Completes when the server returned.</returns>
    Task Invoke<T>(string method, Action<T> onProgress, params object?[] args);

    /// <summary>Invokes a hub method that reports progress and returns a result.</summary>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <typeparam name="TProgress">The progress values' type.</typeparam>
    /// <param name="method">The hub method.</param>
    /// <param name="onProgress">Called for each progress value, in order, before the task completes.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The result.</returns>
    Task<TResult> Invoke<TResult, TProgress>(string method, Action<TProgress> onProgress, params object?[] args);

    /// <summary>Invokes a hub method without a result; the token abandons the wait (the server may still run the method).</summary>
    /// <param name="method">The hub method.</param>
    /// <param name="cancellationToken">Cancels the send while it waits its turn, and the wait for the result.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>Completes when the server returned.</returns>
    Task InvokeAsync(string method, CancellationToken cancellationToken, params object?[] args);

    /// <summary>Invokes a hub method and reads its result; the token abandons the wait (the server may still run the method).</summary>
    /// <typeparam name="T">The result's type.</typeparam>
    /// <param name="method">The hub method.</param>
    /// <param name="cancellationToken">Cancels the send while it waits its turn, and the wait for the result.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The result.</returns>
    Task<T> InvokeAsync<T>(string method, CancellationToken cancellationToken, params object?[] args);

    /// <summary>Invokes a hub method with arguments given as JSON, without reflection (safe for trimming and native AOT).</summary>
    /// <param name="method">The hub method.</param>
    /// <param name="arguments">The arguments (<see cref="JsonNode"/> converts from strings, numbers and booleans; <see langword="null"/> is JSON null).</param>
    /// <param name="onProgress">Called for each progress value, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the send while it waits its turn, and the wait for the result.</param>
    /// <returns>The result as JSON, or <see langword="null"/> for none.</returns>
    Task<JsonElement?> InvokeJsonAsync(string method, IReadOnlyList<JsonNode?> arguments, Action<JsonElement>? onProgress = null, CancellationToken cancellationToken = default);
}
