using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>Frame reads and writes with the array-segment overloads, the only ones of netstandard2.0.</summary>
internal static class WebSocketFrames
{
    public static Task<WebSocketReceiveResult> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(new ArraySegment<byte>(buffer), cancellationToken);

    public static Task SendTextAsync(WebSocket socket, byte[] buffer, int count, CancellationToken cancellationToken) =>
        socket.SendAsync(new ArraySegment<byte>(buffer, 0, count), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
