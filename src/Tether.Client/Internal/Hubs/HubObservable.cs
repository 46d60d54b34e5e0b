using System;
using System.Collections.Generic;
using System.Text.Json;
using Tether.Client.Hubs;

namespace Tether.Client.Internal.Hubs;

/// <summary>The observable of <see cref="HubProxyExtensions.Observe(IHubProxy, string)"/>: one <c>OnNext</c> per call of the client method.</summary>
internal sealed class HubObservable(IHubProxy proxy, string eventName) : IObservable<IList<JsonElement>>
{
    public IDisposable Subscribe(IObserver<IList<JsonElement>> observer)
    {
        if (observer is null)
        {
            throw new ArgumentNullException(nameof(observer));
        }

        Subscription subscription = proxy.Subscribe(eventName);
        Action<IList<JsonElement>> onNext = observer.OnNext;
        subscription.Received += onNext;
        return new HandlerRemoval(subscription, onNext);
    }
}
