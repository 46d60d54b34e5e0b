namespace Tether.Server.Internal;

internal sealed class ConnectionTokenProtector
{
}
