using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// Applies the commands of one batch to a receive request's subscription and groups: an abort ends the request, group
/// changes add or remove topics, a start served by another node raises <c>OnConnected</c> here. Messages of a group removed in the batch are dropped from it, so that once
/// <c>Groups.Remove</c> has completed no later message of that group reaches the connection.
/// </summary>
internal readonly record struct BatchCommands(bool Aborted, bool AbortRaisedElsewhere, bool GroupsChanged, bool StartedElsewhere)
{
    public static BatchCommands Apply(List<Message> batch, IMessageSubscription subscription, List<string> groups)
    {
        bool aborted = false;
        bool raisedElsewhere = false;
        bool groupsChanged = false;
        bool started = false;
        HashSet<string>? removedTopics = null;
        foreach (var message in batch)
        {
            switch (message.Command)
            {
                case { Type: CommandType.Abort } abort:
                    aborted = true;
                    raisedElsewhere |= abort.Value is not null;
                    break;
                case { Type: CommandType.Start }:
                    started = true;
                    break;
                case { Type: CommandType.AddToGroup, Value: { Length: > 0 } group } add:
                    if (!groups.Contains(group, StringComparer.Ordinal))
                    {
                        groups.Add(group);
                        subscription.AddTopic(Topics.ForQualifiedGroup(group), add.Position);
                        groupsChanged = true;
                    }

                    break;
                case { Type: CommandType.RemoveFromGroup, Value: { Length: > 0 } group }:
                    string topic = Topics.ForQualifiedGroup(group);
                    (removedTopics ??= new(StringComparer.Ordinal)).Add(topic);
                    if (groups.Remove(group))
                    {
                        subscription.RemoveTopic(topic);
                        groupsChanged = true;
                    }

                    break;
                default:
                    break;
            }
        }

        if (removedTopics is not null)
        {
            DropMessagesOf(batch, removedTopics);
        }

        return new BatchCommands(aborted, raisedElsewhere, groupsChanged, started);
    }

    /// <summary>A method of its own, so a batch without removals allocates no closure.</summary>
    private static void DropMessagesOf(List<Message> batch, HashSet<string> removedTopics) =>
        batch.RemoveAll(m => m.Command is null && removedTopics.Contains(m.Topic));
}
