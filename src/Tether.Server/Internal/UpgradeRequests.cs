using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Tether.Server.Internal;

/// <summary>Tells the requests that may become WebSockets from the plain HTTP requests of the other transports.</summary>
internal static class UpgradeRequests
{
    /// <summary>
    /// Whether the request asks for a protocol upgrade (HTTP/1.1 <c>Connection: Upgrade</c>) or is an extended
    /// <c>CONNECT</c> (WebSockets over HTTP/2): the only requests the WebSockets middleware can accept.
    /// </summary>
    public static bool MayBeWebSocket(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}
