using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>The names of the bus topics a persistent connection reads (docs/protocol.md#topics-and-cursors).</summary>
internal static class Topics
{
    private const string ConnectionPrefix = "c-";

    /// <summary>Connection ids longer than this (never issued by the server) are not looked up on the stack.</summary>
    private const int MaxLookupLength = 256;

    /// <summary>The topic of one connection: direct sends and commands.</summary>
    public static string ForConnection(string connectionId) => ConnectionPrefix + connectionId;

    /// <summary>
    /// As <see cref="ForConnection(string)"/>, reusing the bus's string when it holds the topic (a connection of this
    /// node), so sending to a connection builds no string per message.
    /// </summary>
    public static string ForConnection(string connectionId, IMessageBus bus)
    {
        if (bus is ITopicNameLookup names && connectionId.Length <= MaxLookupLength)
        {
            Span<char> name = stackalloc char[ConnectionPrefix.Length + connectionId.Length];
            ConnectionPrefix.CopyTo(name);
            connectionId.CopyTo(name[ConnectionPrefix.Length..]);
            if (names.FindTopicName(name) is { } existing)
            {
                return existing;
            }
        }

        return ForConnection(connectionId);
    }

    /// <summary>The broadcast topic of a connection type.</summary>
    public static string ForConnectionType(string typeName) => "pc-" + typeName;

    /// <summary>The name of a group as it appears in the groups token: <c>&lt;Type&gt;.&lt;group&gt;</c>.</summary>
    public static string QualifiedGroup(string typeName, string groupName) => typeName + "." + groupName;

    /// <summary>The topic of a group, from its qualified name.</summary>
    public static string ForQualifiedGroup(string qualifiedGroup) => "pcg-" + qualifiedGroup;
}
