using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Tether.ClassicServer;

/// <summary>
/// The few private members of Mono's HttpListener (mcs/class/System/System.Net/HttpConnection.cs, Mono 6.8) this host
/// needs: Mono's <c>AcceptWebSocketAsync</c> throws NotImplementedException, so the WebSocket handshake takes over the
/// connection's stream, and the disconnect watch polls its socket. Every lookup fails with a clear message, not a
/// NullReferenceException, if a Mono version changes them.
/// </summary>
internal static class MonoListenerInternals
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    private static readonly PropertyInfo? ConnectionProperty = typeof(HttpListenerContext).GetProperty("Connection", Private);
    private static readonly Type? ConnectionType = ConnectionProperty?.PropertyType;
    private static readonly FieldInfo? SocketField = ConnectionType?.GetField("sock", Private);
    private static readonly FieldInfo? StreamField = ConnectionType?.GetField("stream", Private);
    private static readonly FieldInfo? BufferField = ConnectionType?.GetField("ms", Private);
    private static readonly FieldInfo? PositionField = ConnectionType?.GetField("position", Private);
    private static readonly MethodInfo? CloseSocketMethod = ConnectionType?.GetMethod("CloseSocket", Private, null, Type.EmptyTypes, null);
    private static readonly MethodInfo? UnbindMethod = ConnectionType?.GetMethod("Unbind", Private, null, Type.EmptyTypes, null);

    /// <summary>The connection's socket, or null when this is not Mono's listener.</summary>
    public static Socket? TryGetSocket(HttpListenerContext context)
    {
        object? connection = ConnectionProperty?.GetValue(context);
        return connection is null ? null : SocketField?.GetValue(connection) as Socket;
    }

    /// <summary>Takes the connection over: its stream, and what the listener read past the request's headers.</summary>
    public static Stream TakeStream(HttpListenerContext context, out byte[] readAhead)
    {
        object connection = Connection(context);
        var stream = (Stream?)Require(StreamField, "stream").GetValue(connection) ?? throw Missing("stream (null)");
        readAhead = Array.Empty<byte>();
        if (Require(BufferField, "ms").GetValue(connection) is MemoryStream buffer)
        {
            int position = (int)Require(PositionField, "position").GetValue(connection)!;
            int length = (int)buffer.Length;
            if (length > position)
            {
                readAhead = new byte[length - position];
                Buffer.BlockCopy(buffer.GetBuffer(), position, readAhead, 0, readAhead.Length);
            }
        }

        return stream;
    }

    /// <summary>Closes the connection's socket and releases the listener's hold on the context.</summary>
    public static void Close(HttpListenerContext context)
    {
        object connection = Connection(context);
        Require(CloseSocketMethod, "CloseSocket()").Invoke(connection, null);
        Require(UnbindMethod, "Unbind()").Invoke(connection, null);
    }

    private static object Connection(HttpListenerContext context) =>
        Require(ConnectionProperty, "HttpListenerContext.Connection").GetValue(context) ?? throw Missing("HttpListenerContext.Connection (null)");

    private static T Require<T>(T? member, string name)
        where T : MemberInfo =>
        member ?? throw Missing(name);

    private static NotSupportedException Missing(string name) =>
        new("This host needs Mono's HttpListener (Mono 6.8); its private member " + name + " was not found.");
}
