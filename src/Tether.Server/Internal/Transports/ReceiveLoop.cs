using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// The transport-independent heart of a receive request: reads the connection's topics from the client's cursor in
/// batches bounded by count and bytes, applies commands (abort, group changes), and writes persistent responses and
/// keep-alives through one <see cref="IResponseSink"/> — the only writer of that request — each within WriteTimeout.
/// </summary>
internal sealed class ReceiveLoop(ReceiveContext receive, ReceiveSession session, IResponseSink sink)
{
    private readonly ReceiveRequest _request = receive.Request;
    private readonly ReceiveServices _services = receive.Services;

    /// <summary>Runs until the session ends. Exceptions from the sink (client gone, write timed out) propagate.</summary>
    public async Task RunAsync()
    {
        var groups = _request.Groups;

        // The connection's own topic first: its commands (a group removal) are read before the group's messages.
        var topics = new List<string>(2 + groups.Count) { Topics.ForConnection(_request.ConnectionId, _services.Bus), _request.TypeTopic };
        foreach (string group in groups)
        {
            topics.Add(Topics.ForQualifiedGroup(group));
        }

        topics.AddRange(_request.ExtraTopics);

        using var subscription = _services.Bus.Subscribe(topics, _request.Cursor, session.Signal.Set);
        session.SetSubscription(subscription);
        long lowWater = _request.BackpressureHighWater / 2;
        var batch = new List<Message>();

        if (_request.Kind == ReceiveKind.Connect)
        {
            await WriteAsync(new PersistentResponseHeader(session.TakeSentCursor(subscription)) { Initialized = true }, []).ConfigureAwait(false);
            if (sink.EndsAfterResponse)
            {
                return;
            }
        }

        bool groupsChanged = false;
        while (true)
        {
            var reason = session.EndReason;
            if (reason != ReceiveEndReason.None)
            {
                await EndAsync(reason, subscription).ConfigureAwait(false);
                return;
            }

            batch.Clear();
            if (subscription.Read(batch, sink.MaxMessages, _services.Options.MaxResponseBytes) > 0)
            {
                var commands = BatchCommands.Apply(batch, subscription, groups);
                groupsChanged |= commands.GroupsChanged;
                if (commands.StartedElsewhere)
                {
                    _services.Connections.StartedElsewhere(receive.Key);
                }

                bool deliverable = HasDeliverable(batch, _request.ConnectionId);
                if (deliverable || groupsChanged || commands.Aborted)
                {
                    string? groupsToken = groupsChanged ? _services.Tokens.ProtectGroupsToken(_request.ConnectionId, groups) : null;
                    groupsChanged = false;
                    if (deliverable || groupsToken is not null || sink.EndsAfterResponse)
                    {
                        await WriteAsync(new PersistentResponseHeader(session.TakeSentCursor(subscription)) { GroupsToken = groupsToken }, batch).ConfigureAwait(false);
                    }

                    session.OutputProgressed(lowWater);
                    if (commands.Aborted)
                    {
                        _services.Connections.StoppedElsewhere(receive.Key, commands.AbortRaisedElsewhere);
                        return;
                    }

                    if (sink.EndsAfterResponse)
                    {
                        return;
                    }
                }

                session.OutputProgressed(lowWater);
                continue;
            }

            if (session.TakeKeepAlive())
            {
                await WriteKeepAliveAsync().ConfigureAwait(false);
                continue;
            }

            await sink.BeforeWaitAsync(session.StartWrite()).ConfigureAwait(false);
            await session.Signal.WaitAsync().ConfigureAwait(false);
        }
    }

    private async Task EndAsync(ReceiveEndReason reason, IMessageSubscription subscription)
    {
        switch (reason)
        {
            case ReceiveEndReason.Shutdown:
                // Tell the client to reconnect (to this node once it is back, or to another).
                await WriteAsync(new PersistentResponseHeader(session.TakeSentCursor(subscription)) { ShouldReconnect = true }, []).ConfigureAwait(false);
                break;
            case ReceiveEndReason.TimedOut or ReceiveEndReason.Aborted or ReceiveEndReason.Replaced when sink.EndsAfterResponse:
                // A long poll always answers with a persistent response, so the client keeps its cursor.
                await WriteAsync(new PersistentResponseHeader(session.TakeSentCursor(subscription)), []).ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    private Task WriteAsync(PersistentResponseHeader header, IReadOnlyList<Message> messages)
    {
        _services.Metrics.Delivered(messages, _request.ConnectionId, _request.Transport);
        return WithinDeadline(sink.WriteResponseAsync(header, messages, session.StartWrite()));
    }

    private Task WriteKeepAliveAsync() => WithinDeadline(sink.WriteKeepAliveAsync(session.StartWrite()));

    /// <summary>
    /// Completes a write started with <see cref="ReceiveSession.StartWrite"/>: one that completed at once is done (no
    /// deadline was needed, no state machine is made); a pending one gets its deadline now, and a write past it ends
    /// the session.
    /// </summary>
    private Task WithinDeadline(ValueTask write)
    {
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            session.WriteCompleted();
            return Task.CompletedTask;
        }

        return WithinDeadlineAsync(write);
    }

    private async Task WithinDeadlineAsync(ValueTask write)
    {
        if (!write.IsCompleted)
        {
            session.WriteIsWaiting();
        }

        try
        {
            await write.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.WriteDeadlinePassed)
        {
            session.End(ReceiveEndReason.WriteTimedOut);
            throw;
        }

        session.WriteCompleted();
    }

    private static bool HasDeliverable(List<Message> batch, string connectionId)
    {
        foreach (var message in batch)
        {
            if (message.Command is null && !message.Excludes(connectionId))
            {
                return true;
            }
        }

        return false;
    }
}
