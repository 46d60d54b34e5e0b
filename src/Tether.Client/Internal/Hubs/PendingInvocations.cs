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

    /// <summary>The invocation a progress message is for (it stays pending).</summary>
    public PendingInvocation? Find(string id)
    {
        lock (_lock)
        {
            return _pending.TryGetValue(id, out PendingInvocation? invocation) ? invocation : null;
        }
    }

    /// <summary>The invocation a result is for, removed.</summary>
    public PendingInvocation? Take(string id)
    {
        lock (_lock)
        {
            if (_pending.TryGetValue(id, out PendingInvocation? invocation))
            {
                _pending.Remove(id);
            }

            return invocation;
        }
    }

    /// <summary>Fails every pending invocation; invocations made from their continuations register afresh.</summary>
    public void FailAll(string message)
    {
        PendingInvocation[] failed;
        lock (_lock)
        {
            failed = _pending.Values.ToArray();
            _pending.Clear();
        }

        foreach (PendingInvocation invocation in failed)
        {
            invocation.Fail(new InvalidOperationException(message));
        }
    }
}
