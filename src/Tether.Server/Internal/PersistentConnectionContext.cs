namespace Tether.Server.Internal;

internal sealed class PersistentConnectionContext<TConnection>
    where TConnection : PersistentConnection
{
}
