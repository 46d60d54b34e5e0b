using System.Net.Security;
using System.Net.WebSockets;
using System.Reflection;

namespace Tether.Client.Internal;

/// <summary>
/// Applies the server-certificate validation callback to a WebSocket handshake. netstandard2.0 has no such option in
/// its contract, but the runtimes that came after it (.NET Core 2.1 and later) have the property: it is set when the
/// running runtime has it. .NET Framework has none; there the handshake uses the process-wide validation.
/// </summary>
internal static class WebSocketCertificates
{
    private static readonly PropertyInfo? s_property =
        typeof(ClientWebSocketOptions).GetProperty("RemoteCertificateValidationCallback", BindingFlags.Instance | BindingFlags.Public);

    public static void SetValidationCallback(ClientWebSocketOptions options, RemoteCertificateValidationCallback callback) =>
        s_property?.SetValue(options, callback);
}
