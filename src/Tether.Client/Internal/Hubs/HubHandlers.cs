using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Hubs;

namespace Tether.Client.Internal.Hubs;

/// <summary>Binds typed client-method handlers to a proxy's subscription, as the classic <c>On</c> overloads do.</summary>
internal static class HubHandlers
{
    /// <summary>Adds a handler that needs <paramref name="argumentCount"/> arguments; disposing the result removes it.</summary>
    public static IDisposable Bind(IHubProxy proxy, string eventName, Delegate onData, int argumentCount, Action<IList<JsonElement>> invoke)
    {
        if (proxy is null)
        {
            throw new ArgumentNullException(nameof(proxy));
        }

        if (string.IsNullOrEmpty(eventName))
        {
            throw new ArgumentNullException(nameof(eventName));
        }

        if (onData is null)
        {
            throw new ArgumentNullException(nameof(onData));
        }

        Subscription subscription = proxy.Subscribe(eventName);
        Action<IList<JsonElement>> handler = args =>
        {
            CheckCount(eventName, args, argumentCount);
            invoke(args);
        };

        subscription.Received += handler;
        return new HandlerRemoval(subscription, handler);
    }

    /// <summary>Adds an async handler: its task is not awaited by the dispatch loop (so it may await invocations); a fault is reported through the connection's Error.</summary>
    public static IDisposable BindAsync(IHubProxy proxy, string eventName, Delegate onData, int argumentCount, Func<IList<JsonElement>, Task> invoke) =>
        Bind(proxy, eventName, onData, argumentCount, args => ReportFault(proxy.Subscribe(eventName), invoke(args)));

    /// <summary>Throws the classic client's error when a call has fewer arguments than the handler takes.</summary>
    public static void CheckCount(string eventName, IList<JsonElement> args, int argumentCount)
    {
        if (args.Count < argumentCount)
        {
            throw new InvalidOperationException(
                string.Format(CultureInfo.CurrentCulture, Resources.ClientCallbackInvalidNumberOfArguments, eventName, args.Count));
        }
    }

    /// <summary>Argument <paramref name="index"/> as <typeparamref name="T"/>, with the classic message when it does not convert.</summary>
    public static T Arg<T>(IHubProxy proxy, string eventName, IList<JsonElement> args, int index) =>
        HubJson.Argument(eventName, args.Count, () => HubJson.Convert<T>(args[index], proxy.JsonSerializerOptions));

    private static void ReportFault(Subscription subscription, Task task)
    {
        if (task.IsCompleted && !task.IsFaulted)
        {
            return;
        }

        task.ContinueWith(
            static (t, s) => ((Subscription)s!).ReportError(t.Exception!.InnerExceptions.Count == 1 ? t.Exception.InnerException! : t.Exception),
            subscription,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }
}

/// <summary>Removes one handler from a subscription when disposed.</summary>
internal sealed class HandlerRemoval(Subscription subscription, Action<IList<JsonElement>> handler) : IDisposable
{
    public void Dispose() => subscription.Received -= handler;
}
