namespace Tether.Server.Internal;

/// <summary>The names of the bus topics a persistent connection reads (docs/protocol.md#topics-and-cursors).</summary>
internal static class Topics
{
    /// <summary>The topic of one connection: direct sends and commands.</summary>
    public static string ForConnection(string connectionId) => "c-" + connectionId;

    /// <summary>The broadcast topic of a connection type.</summary>
    public static string ForConnectionType(string typeName) => "pc-" + typeName;

    /// <summary>The name of a group as it appears in the groups token: <c>&lt;Type&gt;.&lt;group&gt;</c>.</summary>
    public static string QualifiedGroup(string typeName, string groupName) => typeName + "." + groupName;

    /// <summary>The topic of a group, from its qualified name.</summary>
    public static string ForQualifiedGroup(string qualifiedGroup) => "pcg-" + qualifiedGroup;
}
