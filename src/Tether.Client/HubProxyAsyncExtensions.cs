using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Tether.Client.Internal;
using Tether.Client.Internal.Hubs;

namespace Tether.Client;

/// <summary>
/// Beyond the classic client: async handlers, handlers and invocations bound with source-generated
/// <see cref="JsonTypeInfo{T}"/> (safe for trimming and native AOT), and a hub event as an <see cref="IAsyncEnumerable{T}"/>.
/// </summary>
public static class HubProxyAsyncExtensions
{
    /// <summary>Handles a client method without arguments with an async handler.</summary>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler. It starts on the dispatch loop, in order; the loop does not wait for its task, so it may await invocations. A fault is reported through <see cref="Connection.Error"/>.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On(this IHubProxy proxy, string eventName, Func<Task> onData) =>
        HubHandlers.BindAsync(proxy, eventName, onData, 0, _ => onData());

    /// <summary>Handles a client method with one argument with an async handler.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler (see <see cref="On(IHubProxy, string, Func{Task})"/>).</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T>(this IHubProxy proxy, string eventName, Func<T, Task> onData) =>
        HubHandlers.BindAsync(proxy, eventName, onData, 1, args => onData(HubHandlers.Arg<T>(proxy, eventName, args, 0)));

    /// <summary>Handles a client method with two arguments with an async handler.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler (see <see cref="On(IHubProxy, string, Func{Task})"/>).</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T1, T2>(this IHubProxy proxy, string eventName, Func<T1, T2, Task> onData) =>
        HubHandlers.BindAsync(proxy, eventName, onData, 2, args => onData(
            HubHandlers.Arg<T1>(proxy, eventName, args, 0),
            HubHandlers.Arg<T2>(proxy, eventName, args, 1)));

    /// <summary>Handles a client method with one argument read with source-generated type information.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="jsonTypeInfo">How to read the argument.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T>(this IHubProxy proxy, string eventName, JsonTypeInfo<T> jsonTypeInfo, Action<T> onData)
    {
        CheckTypeInfo(jsonTypeInfo);
        return HubHandlers.Bind(proxy, eventName, onData, 1, args => onData(Read(eventName, args, jsonTypeInfo)));
    }

    /// <summary>Handles a client method with one argument, read with source-generated type information, with an async handler.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="jsonTypeInfo">How to read the argument.</param>
    /// <param name="onData">The handler (see <see cref="On(IHubProxy, string, Func{Task})"/>).</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T>(this IHubProxy proxy, string eventName, JsonTypeInfo<T> jsonTypeInfo, Func<T, Task> onData)
    {
        CheckTypeInfo(jsonTypeInfo);
        return HubHandlers.BindAsync(proxy, eventName, onData, 1, args => onData(Read(eventName, args, jsonTypeInfo)));
    }

    /// <summary>Invokes a hub method with JSON arguments and reads its result with source-generated type information (no reflection).</summary>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="method">The hub method.</param>
    /// <param name="resultTypeInfo">How to read the result.</param>
    /// <param name="cancellationToken">Cancels the send while it waits its turn, and the wait for the result.</param>
    /// <param name="args">The arguments (<see cref="JsonNode"/> converts from strings, numbers and booleans).</param>
    /// <returns>The result (<see langword="default"/> for none).</returns>
    public static async Task<TResult> InvokeAsync<TResult>(
        this IHubProxy proxy, string method, JsonTypeInfo<TResult> resultTypeInfo, CancellationToken cancellationToken, params JsonNode?[] args)
    {
        if (proxy is null)
        {
            throw new ArgumentNullException(nameof(proxy));
        }

        CheckTypeInfo(resultTypeInfo);
        JsonElement? result = await proxy.InvokeJsonAsync(method, args, null, cancellationToken).ConfigureAwait(false);
        return result is { ValueKind: not JsonValueKind.Null } value ? value.Deserialize(resultTypeInfo)! : default!;
    }

    /// <summary>Reads the calls of a client method from now on, each as its arguments, until the connection closes.</summary>
    /// <param name="proxy">A proxy from <see cref="HubConnection.CreateHubProxy(string)"/>.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The calls, in order. Each enumeration has its own unbounded buffer, so a slow reader never stalls the connection.</returns>
    public static IAsyncEnumerable<IList<JsonElement>> ReadAllAsync(this IHubProxy proxy, string eventName, CancellationToken cancellationToken = default) =>
        ReadCallsAsync(proxy, eventName, 0, static args => args, cancellationToken);

    /// <summary>Reads the calls of a one-argument client method from now on, until the connection closes.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="proxy">A proxy from <see cref="HubConnection.CreateHubProxy(string)"/>.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The arguments, in order; one that does not convert ends the enumeration with its error.</returns>
    public static IAsyncEnumerable<T> ReadAllAsync<T>(this IHubProxy proxy, string eventName, CancellationToken cancellationToken = default) =>
        ReadCallsAsync(proxy, eventName, 1, args => HubHandlers.Arg<T>(proxy, eventName, args, 0), cancellationToken);

    /// <summary>Reads the calls of a one-argument client method, read with source-generated type information, until the connection closes.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="proxy">A proxy from <see cref="HubConnection.CreateHubProxy(string)"/>.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="jsonTypeInfo">How to read the argument.</param>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The arguments, in order.</returns>
    public static IAsyncEnumerable<T> ReadAllAsync<T>(this IHubProxy proxy, string eventName, JsonTypeInfo<T> jsonTypeInfo, CancellationToken cancellationToken = default)
    {
        CheckTypeInfo(jsonTypeInfo);
        return ReadCallsAsync(proxy, eventName, 1, args => Read(eventName, args, jsonTypeInfo), cancellationToken);
    }

    private static async IAsyncEnumerable<T> ReadCallsAsync<T>(
        IHubProxy proxy, string eventName, int argumentCount, Func<IList<JsonElement>, T> convert, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        HubProxy hubProxy = proxy as HubProxy ?? throw new ArgumentException(Resources.ProxyNotCreatedByHubConnection, nameof(proxy));
        var channel = Channel.CreateUnbounded<IList<JsonElement>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using IDisposable calls = HubHandlers.Bind(proxy, eventName, convert, 0, args => channel.Writer.TryWrite(args));
        using IDisposable closing = hubProxy.Connection.Subscribe(new CompletingSubscriber(channel.Writer));
        while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (channel.Reader.TryRead(out IList<JsonElement>? args))
            {
                HubHandlers.CheckCount(eventName, args, argumentCount);
                yield return convert(args);
            }
        }
    }

    private static T Read<T>(string eventName, IList<JsonElement> args, JsonTypeInfo<T> jsonTypeInfo) =>
        HubJson.Argument(eventName, args.Count, () => args[0].Deserialize(jsonTypeInfo)!);

    private static void CheckTypeInfo(JsonTypeInfo? jsonTypeInfo)
    {
        if (jsonTypeInfo is null)
        {
            throw new ArgumentNullException(nameof(jsonTypeInfo));
        }
    }

    /// <summary>Ends an enumeration when the connection closes; it takes no messages.</summary>
    private sealed class CompletingSubscriber(ChannelWriter<IList<JsonElement>> writer) : Connection.Subscriber
    {
        public override void OnMessage(DispatchItem message)
        {
        }

        public override void OnClosed(Exception? reason) => writer.TryComplete();

        public override void OnFailed(Exception error) => writer.TryComplete(error);
    }
}
