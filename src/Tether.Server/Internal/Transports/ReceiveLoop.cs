using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// The transport-independent heart of a receive request: reads the connection's topics from the client's cursor,
/// applies commands (abort, group changes), and writes persistent responses and keep-alives through one
/// <see cref="IResponseSink"/> — the only writer of that request.
/// </summary>
internal sealed class ReceiveLoop
{
    /// <summary>Messages per response on streaming transports: small, so one busy topic cannot delay others.</summary>
    private const int MaxMessagesStreaming = 100;

    /// <summary>Messages per long-poll response (classic: 5000 per topic).</summary>
    private const int MaxMessagesLongPolling = 5000;

    private readonly ReceiveRequest _request;
    private readonly IMessageBus _bus;
    private readonly ConnectionTokenProtector _tokens;
    private readonly ConnectionTracker _tracker;

    public ReceiveLoop(ReceiveRequest request, IMessageBus bus, ConnectionTokenProtector tokens, ConnectionTracker tracker)
    {
        _request = request;
        _bus = bus;
        _tokens = tokens;
        _tracker = tracker;
    }

    /// <summary>Runs until the session ends. Exceptions from the sink (client gone) propagate to the transport.</summary>
    public async Task RunAsync(ReceiveSession session, IResponseSink sink)
    {
        var request = _request;
        var groups = request.Groups;
        var topics = new List<string>(2 + groups.Count) { Topics.ForConnectionType(request.TypeName), Topics.ForConnection(request.ConnectionId) };
        foreach (string group in groups)
        {
            topics.Add(Topics.ForQualifiedGroup(group));
        }

        using var subscription = _bus.Subscribe(topics, request.Cursor, session.Signal.Set);
        session.SetSubscription(subscription);
        long lowWater = _request.BackpressureHighWater / 2;
        int max = sink.EndsAfterResponse ? MaxMessagesLongPolling : MaxMessagesStreaming;
        var batch = new List<Message>();

        if (request.Kind == ReceiveKind.Connect)
        {
            await sink.WriteResponseAsync(Header(subscription.Cursor) with { Initialized = true }, [], session.Ended).ConfigureAwait(false);
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
                await EndAsync(reason, subscription, sink, session).ConfigureAwait(false);
                return;
            }

            batch.Clear();
            if (subscription.Read(batch, max) > 0)
            {
                bool aborted = ApplyCommands(batch, subscription, groups, ref groupsChanged);
                bool deliverable = HasDeliverable(batch, request.ConnectionId);
                if (deliverable || groupsChanged || aborted)
                {
                    string? groupsToken = groupsChanged ? _tokens.ProtectGroupsToken(request.ConnectionId, groups) : null;
                    groupsChanged = false;
                    if (deliverable || groupsToken is not null || sink.EndsAfterResponse)
                    {
                        await sink.WriteResponseAsync(Header(subscription.Cursor) with { GroupsToken = groupsToken }, batch, session.Ended).ConfigureAwait(false);
                    }

                    session.OutputProgressed(lowWater);

                    if (aborted)
                    {
                        // The stop was handled on the node that received /abort; this node only ends the request.
                        _tracker.EndAborted(request.ConnectionId);
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
                await sink.WriteKeepAliveAsync(session.Ended).ConfigureAwait(false);
                continue;
            }

            await session.Signal.WaitAsync().ConfigureAwait(false);
        }
    }

    private async Task EndAsync(ReceiveEndReason reason, IMessageSubscription subscription, IResponseSink sink, ReceiveSession session)
    {
        switch (reason)
        {
            case ReceiveEndReason.Shutdown:
                // Tell the client to reconnect (to this node once it is back, or to another).
                await sink.WriteResponseAsync(Header(subscription.Cursor) with { ShouldReconnect = true }, [], session.Ended).ConfigureAwait(false);
                break;
            case ReceiveEndReason.TimedOut or ReceiveEndReason.Aborted or ReceiveEndReason.Replaced when sink.EndsAfterResponse:
                // A long poll always answers with a persistent response, so the client keeps its cursor.
                await sink.WriteResponseAsync(Header(subscription.Cursor), [], session.Ended).ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    private PersistentResponseHeader Header(string cursor) => new(cursor, LongPollDelayMs: _request.LongPollDelayMs);

    private static bool ApplyCommands(List<Message> batch, IMessageSubscription subscription, List<string> groups, ref bool groupsChanged)
    {
        bool aborted = false;
        foreach (var message in batch)
        {
            if (message.Command is not { } command)
            {
                continue;
            }

            switch (command.Type)
            {
                case CommandType.Abort:
                    aborted = true;
                    break;
                case CommandType.AddToGroup when command.Value is { Length: > 0 } group:
                    if (!groups.Contains(group, StringComparer.Ordinal))
                    {
                        groups.Add(group);
                        subscription.AddTopic(Topics.ForQualifiedGroup(group), command.Position);
                        groupsChanged = true;
                    }

                    break;
                case CommandType.RemoveFromGroup when command.Value is { Length: > 0 } group:
                    if (groups.Remove(group))
                    {
                        subscription.RemoveTopic(Topics.ForQualifiedGroup(group));
                        groupsChanged = true;
                    }

                    break;
                default:
                    break;
            }
        }

        return aborted;
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
