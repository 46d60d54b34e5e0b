using System;

namespace Tether.Client.Internal;

/// <summary>The observable of <see cref="ConnectionExtensions.AsObservable(Connection)"/> and its typed variants.</summary>
internal sealed class ObservableConnection<T> : IObservable<T>
{
    private readonly Connection _connection;
    private readonly Func<DispatchItem, T> _convert;

    public ObservableConnection(Connection connection, Func<DispatchItem, T> convert)
    {
        _connection = connection;
        _convert = convert;
    }

    public IDisposable Subscribe(IObserver<T> observer)
    {
        if (observer is null)
        {
            throw new ArgumentNullException(nameof(observer));
        }

        return _connection.Subscribe(new ObserverSubscriber(observer, _convert));
    }

    private sealed class ObserverSubscriber(IObserver<T> observer, Func<DispatchItem, T> convert) : Connection.Subscriber
    {
        private bool _done;

        public override void OnMessage(DispatchItem message)
        {
            if (!_done)
            {
                // A conversion failure propagates: the connection ends this subscription with OnFailed.
                T value = convert(message);
                observer.OnNext(value);
            }
        }

        public override void OnClosed(Exception? reason)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            if (reason is null)
            {
                observer.OnCompleted();
            }
            else
            {
                observer.OnError(reason);
            }
        }

        public override void OnFailed(Exception error)
        {
            if (!_done)
            {
                _done = true;
                observer.OnError(error);
            }
        }
    }
}
