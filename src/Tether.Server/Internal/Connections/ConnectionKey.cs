namespace Tether.Server.Internal;

/// <summary>Identifies one connection: the connection type that issued its token and its id.</summary>
/// <param name="TypeName">The connection type's name (see <see cref="ConnectionTypeName"/>).</param>
/// <param name="ConnectionId">The connection id.</param>
internal readonly record struct ConnectionKey(string TypeName, string ConnectionId);
