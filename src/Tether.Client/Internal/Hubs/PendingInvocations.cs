using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace Tether.Client.Internal.Hubs;

/// <summary>The invocations of one hub connection that wait for their result, by id (<c>"0"</c>, <c>"1"</c>, … as the classic .NET client numbers them).</summary>
internal sealed class PendingInvocations
{
    private readonly object _lock = new();
    private readonly Dictionary<string, PendingInvocation> _pending = new(StringComparer.Ordinal);
    private long _nextId;

    public PendingInvocation Add(HubProxy proxy, Action<JsonElement>? onProgress)
    {
        lock (_lock)
        {
            string id = (_nextId++).ToString(CultureInfo.InvariantCulture);
            var invocation = new PendingInvocation(id, proxy, onProgress);
            _pending[id] = invocation;
            return invocation;
        }
    }

    public bool Remove(PendingInvocation invocation)
    {
        lock (_lock)
        {
            return _pending.TryGetValue(invocation.Id, out PendingInvocation? current) && current == invocation && _pending.Remove(invocation.Id);
        }
    }

    /// <summary>Hands progress to its invocation (which stays pending); returns whether it was found.</summary>
    public bool Progress(string id, JsonElement data)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(id, out PendingInvocation? invocation))
            {
                return false;
            }

            invocation.OnProgress(data);
            return true;
        }
    }

    /// <summary>
    /// Completes an invocation with its result; returns whether it was found. The invocation stays registered until
    /// its result is applied (after its progress callbacks), so that <see cref="FailAll"/> still fails it until then:
    /// a result never completes an invocation once the connection began to stop or reconnect.
    /// </summary>
    public bool Complete(string id, HubServerMessage result)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(id, out PendingInvocation? invocation))
            {
                return false;
            }

            invocation.OnResult(result, () => Remove(invocation));
            return true;
        }
    }

    /// <summary>Fails every pending invocation; invocations made from their continuations register afresh.</summary>
    public void FailAll(string message)
    {
        lock (_lock)
        {
            PendingInvocation[] failed = _pending.Values.ToArray();
            _pending.Clear();
            foreach (PendingInvocation invocation in failed)
            {
                invocation.Fail(new InvalidOperationException(message));
            }
        }
    }
}
