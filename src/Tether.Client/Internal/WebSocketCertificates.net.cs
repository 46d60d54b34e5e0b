using System.Net.Security;
using System.Net.WebSockets;

namespace Tether.Client.Internal;

/// <summary>Applies the server-certificate validation callback to a WebSocket handshake (modern .NET: a plain option).</summary>
internal static class WebSocketCertificates
{
    public static void SetValidationCallback(ClientWebSocketOptions options, RemoteCertificateValidationCallback callback) =>
        options.RemoteCertificateValidationCallback = callback;
}
