using System;
using System.Collections.Generic;
using System.Text.Json;
using Tether.Client.Internal;
using Tether.Client.Internal.Hubs;

namespace Tether.Client;

/// <summary>The classic helpers over <see cref="IHubProxy"/>: typed client-method handlers, state values and observables.</summary>
/// <remarks>
/// Each <c>On</c> returns an <see cref="IDisposable"/> that removes the handler. Handlers run on the connection's
/// dispatch loop, one at a time and in order; a call with fewer arguments than the handler takes, or arguments that do
/// not convert, is reported through <see cref="Connection.Error"/> with the classic client's message.
/// </remarks>
public static class HubProxyExtensions
{
    /// <summary>Reads a state value (see <see cref="IHubProxy.this[string]"/>) as <typeparamref name="T"/>; the default when absent.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="name">The state's name.</param>
    /// <returns>The value.</returns>
    public static T GetValue<T>(this IHubProxy proxy, string name)
    {
        if (proxy is null)
        {
            throw new ArgumentNullException(nameof(proxy));
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentNullException(nameof(name));
        }

        return proxy[name] is { } node ? node.Deserialize(JsonMetadata.For<T>(proxy.JsonSerializerOptions))! : default!;
    }

    /// <summary>Handles a client method without arguments.</summary>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On(this IHubProxy proxy, string eventName, Action onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 0, _ => onData());

    /// <summary>Handles a client method with one argument, given as it was sent (the classic client's <c>dynamic</c> overload).</summary>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler; it receives a <see cref="JsonElement"/>.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On(this IHubProxy proxy, string eventName, Action<dynamic> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 1, args => onData(args[0]));

    /// <summary>Handles a client method with one argument.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T>(this IHubProxy proxy, string eventName, Action<T> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 1, args => onData(HubHandlers.Arg<T>(proxy, eventName, args, 0)));

    /// <summary>Handles a client method with two arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T1, T2>(this IHubProxy proxy, string eventName, Action<T1, T2> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 2, args => onData(
            HubHandlers.Arg<T1>(proxy, eventName, args, 0),
            HubHandlers.Arg<T2>(proxy, eventName, args, 1)));

    /// <summary>Handles a client method with three arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T1, T2, T3>(this IHubProxy proxy, string eventName, Action<T1, T2, T3> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 3, args => onData(
            HubHandlers.Arg<T1>(proxy, eventName, args, 0),
            HubHandlers.Arg<T2>(proxy, eventName, args, 1),
            HubHandlers.Arg<T3>(proxy, eventName, args, 2)));

    /// <summary>Handles a client method with four arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T1, T2, T3, T4>(this IHubProxy proxy, string eventName, Action<T1, T2, T3, T4> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 4, args => onData(
            HubHandlers.Arg<T1>(proxy, eventName, args, 0),
            HubHandlers.Arg<T2>(proxy, eventName, args, 1),
            HubHandlers.Arg<T3>(proxy, eventName, args, 2),
            HubHandlers.Arg<T4>(proxy, eventName, args, 3)));

    /// <summary>Handles a client method with five arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <typeparam name="T5">The fifth argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T1, T2, T3, T4, T5>(this IHubProxy proxy, string eventName, Action<T1, T2, T3, T4, T5> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 5, args => onData(
            HubHandlers.Arg<T1>(proxy, eventName, args, 0),
            HubHandlers.Arg<T2>(proxy, eventName, args, 1),
            HubHandlers.Arg<T3>(proxy, eventName, args, 2),
            HubHandlers.Arg<T4>(proxy, eventName, args, 3),
            HubHandlers.Arg<T5>(proxy, eventName, args, 4)));

    /// <summary>Handles a client method with six arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <typeparam name="T5">The fifth argument's type.</typeparam>
    /// <typeparam name="T6">The sixth argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T1, T2, T3, T4, T5, T6>(this IHubProxy proxy, string eventName, Action<T1, T2, T3, T4, T5, T6> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 6, args => onData(
            HubHandlers.Arg<T1>(proxy, eventName, args, 0),
            HubHandlers.Arg<T2>(proxy, eventName, args, 1),
            HubHandlers.Arg<T3>(proxy, eventName, args, 2),
            HubHandlers.Arg<T4>(proxy, eventName, args, 3),
            HubHandlers.Arg<T5>(proxy, eventName, args, 4),
            HubHandlers.Arg<T6>(proxy, eventName, args, 5)));

    /// <summary>Handles a client method with seven arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <typeparam name="T5">The fifth argument's type.</typeparam>
    /// <typeparam name="T6">The sixth argument's type.</typeparam>
    /// <typeparam name="T7">The seventh argument's type.</typeparam>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <param name="onData">The handler.</param>
    /// <returns>Removes the handler when disposed.</returns>
    public static IDisposable On<T1, T2, T3, T4, T5, T6, T7>(this IHubProxy proxy, string eventName, Action<T1, T2, T3, T4, T5, T6, T7> onData) =>
        HubHandlers.Bind(proxy, eventName, onData, 7, args => onData(
            HubHandlers.Arg<T1>(proxy, eventName, args, 0),
            HubHandlers.Arg<T2>(proxy, eventName, args, 1),
            HubHandlers.Arg<T3>(proxy, eventName, args, 2),
            HubHandlers.Arg<T4>(proxy, eventName, args, 3),
            HubHandlers.Arg<T5>(proxy, eventName, args, 4),
            HubHandlers.Arg<T6>(proxy, eventName, args, 5),
            HubHandlers.Arg<T7>(proxy, eventName, args, 6)));

    /// <summary>The calls of a client method as an observable (without a dependency on Rx): <c>OnNext</c> per call with its arguments.</summary>
    /// <param name="proxy">The proxy.</param>
    /// <param name="eventName">The client method.</param>
    /// <returns>The observable; each subscription lasts until disposed.</returns>
    public static IObservable<IList<JsonElement>> Observe(this IHubProxy proxy, string eventName)
    {
        if (proxy is null)
        {
            throw new ArgumentNullException(nameof(proxy));
        }

        if (string.IsNullOrEmpty(eventName))
        {
            throw new ArgumentNullException(nameof(eventName));
        }

        return new HubObservable(proxy, eventName);
    }
}
