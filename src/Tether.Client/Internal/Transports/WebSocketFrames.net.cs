using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>Frame reads and writes without a task or a result object per frame (the memory overloads of modern .NET).</summary>
internal static class WebSocketFrames
{
    public static ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);

    public static ValueTask SendTextAsync(WebSocket socket, byte[] buffer, int count, CancellationToken cancellationToken) =>
        socket.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
