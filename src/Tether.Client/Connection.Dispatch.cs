using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Tether.Client.Infrastructure;
using Tether.Client.Internal;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>Reads the messages received from now on, as <see cref="Received"/> gets them, until the connection closes.</summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The messages, in order.</returns>
    /// <remarks>
    /// The subscription starts when enumeration starts and ends when the connection closes (or the token fires); each
    /// enumeration has its own unbounded buffer, so a slow reader never stalls the connection or other consumers.
    /// </remarks>
    public async IAsyncEnumerable<string> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using IDisposable subscription = Subscribe(new ChannelSubscriber(channel.Writer));
        while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (channel.Reader.TryRead(out string? message))
            {
                yield return message;
            }
        }
    }

    /// <summary>Adds a consumer of messages and of the close; it is removed after the close or when the result is disposed.</summary>
    internal IDisposable Subscribe(Subscriber subscriber)
    {
        lock (_lock)
        {
            var next = new Subscriber[_subscribers.Length + 1];
            _subscribers.CopyTo(next, 0);
            next[_subscribers.Length] = subscriber;
            _subscribers = next;
        }

        return new Unsubscriber(this, subscriber);
    }

    private void Unsubscribe(Subscriber subscriber)
    {
        lock (_lock)
        {
            int index = Array.IndexOf(_subscribers, subscriber);
            if (index < 0)
            {
                return;
            }

            var next = new Subscriber[_subscribers.Length - 1];
            Array.Copy(_subscribers, 0, next, 0, index);
            Array.Copy(_subscribers, index + 1, next, index, _subscribers.Length - index - 1);
            _subscribers = next;
        }
    }

    /// <summary>Runs one item on the dispatch loop.</summary>
    private void Invoke(DispatchItem item)
    {
        switch (item.Kind)
        {
            case DispatchKind.Message:
                Diagnostics.ClientMetrics.Received();
                // Called directly, not through Guard: a method group would allocate a delegate per message.
                try
                {
                    OnMessageDispatching(item);
                }
                catch (Exception ex)
                {
                    OnHandlerFailed(ex);
                }

                Guard(Received, item.Text!);
                foreach (Subscriber subscriber in Volatile.Read(ref _subscribers))
                {
                    try
                    {
                        subscriber.OnMessage(item);
                    }
                    catch (Exception ex)
                    {
                        Unsubscribe(subscriber);
                        subscriber.OnFailed(ex);
                    }
                }

                break;
            case DispatchKind.StateChanged:
                Log.StateChanged(_logger, item.Change!.OldState, item.Change.NewState);
                Trace(TraceLevels.StateChanges, "ChangeState({0}, {1})", item.Change.OldState, item.Change.NewState);
                Guard(StateChanged, item.Change);
                break;
            case DispatchKind.Error:
                InvokeErrorHandlers(item.Exception!);
                break;
            case DispatchKind.Reconnecting:
                Log.Reconnecting(_logger);
                Trace(TraceLevels.Events, "Reconnecting");
                Guard(Reconnecting);
                break;
            case DispatchKind.Reconnected:
                Log.Reconnected(_logger);
                Trace(TraceLevels.Events, "Reconnected");
                Guard(Reconnected);
                break;
            case DispatchKind.ConnectionSlow:
                Log.ConnectionSlow(_logger);
                Trace(TraceLevels.Events, "Connection Timeout Warning : Notifying user");
                Guard(ConnectionSlow);
                break;
            case DispatchKind.Closed:
                Guard(Closed);
                Subscriber[] subscribers;
                lock (_lock)
                {
                    subscribers = _subscribers;
                    _subscribers = [];
                }

                foreach (Subscriber subscriber in subscribers)
                {
                    try
                    {
                        subscriber.OnClosed(item.Exception);
                    }
                    catch (Exception ex)
                    {
                        Log.HandlerFailed(_logger, ex);
                    }
                }

                break;
        }
    }

    private void Guard(Action? handler)
    {
        try
        {
            handler?.Invoke();
        }
        catch (Exception ex)
        {
            OnHandlerFailed(ex);
        }
    }

    private void Guard<T>(Action<T>? handler, T argument)
    {
        try
        {
            handler?.Invoke(argument);
        }
        catch (Exception ex)
        {
            OnHandlerFailed(ex);
        }
    }

    /// <summary>A handler threw: as the classic client, the exception is reported through Error (still on the loop).</summary>
    private void OnHandlerFailed(Exception ex)
    {
        Log.HandlerFailed(_logger, ex);
        lock (_lock)
        {
            _lastError = ex;
        }

        InvokeErrorHandlers(ex);
    }

    private void InvokeErrorHandlers(Exception error)
    {
        try
        {
            Error?.Invoke(error);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    /// <summary>The watchdog saw one callback run past <see cref="DeadlockErrorTimeout"/>; raised from the watchdog's thread.</summary>
    private void OnSlowCallback(TimeSpan timeout)
    {
        var error = new SlowCallbackException(string.Format(CultureInfo.CurrentCulture, Resources.PossibleDeadlockDetected, timeout.TotalSeconds));
        Log.SlowCallback(_logger, timeout);
        lock (_lock)
        {
            _lastError = error;
        }

        InvokeErrorHandlers(error);
    }

    /// <summary>A consumer of the dispatch loop's messages: observables and <see cref="ReadAllAsync"/>.</summary>
    internal abstract class Subscriber
    {
        /// <summary>One message; throwing ends this subscriber (<see cref="OnFailed"/>).</summary>
        public abstract void OnMessage(DispatchItem message);

        /// <summary>The connection closed: <paramref name="reason"/> is <see langword="null"/> for a plain stop.</summary>
        public abstract void OnClosed(Exception? reason);

        /// <summary><see cref="OnMessage"/> threw.</summary>
        public abstract void OnFailed(Exception error);
    }

    private sealed class ChannelSubscriber(ChannelWriter<string> writer) : Subscriber
    {
        public override void OnMessage(DispatchItem message) => writer.TryWrite(message.Text!);

        public override void OnClosed(Exception? reason) => writer.TryComplete();

        public override void OnFailed(Exception error) => writer.TryComplete(error);
    }

    private sealed class Unsubscriber(Connection connection, Subscriber subscriber) : IDisposable
    {
        public void Dispose() => connection.Unsubscribe(subscriber);
    }
}
