using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.WebSockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Principal;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.ClassicServer;

using WebSocketFunc = Func<IDictionary<string, object>, Task>;

/// <summary>
/// The server side of the RFC 6455 opening handshake, done by hand because Mono's HttpListener cannot accept
/// WebSockets, then the runtime's own WebSocket (Mono's <c>WebSocket.CreateFromStream</c>, the managed implementation
/// from corefx) over the connection's stream. The application sees what Katana's HttpListener host gives it: the OWIN
/// websocket.* functions and, as SignalR's transport prefers, a <see cref="WebSocketContext"/> under its type name.
/// </summary>
internal static class WebSocketUpgrade
{
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    // Mono's System.dll has WebSocket.CreateFromStream (public there, absent from the net472 reference assemblies).
    private static readonly MethodInfo? CreateFromStream = typeof(WebSocket)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == "CreateFromStream")
        .Select(m => new { Method = m, Parameters = m.GetParameters() })
        .Where(m => m.Parameters.Length >= 4 && m.Parameters[0].ParameterType == typeof(Stream) && m.Parameters[1].ParameterType == typeof(bool))
        .OrderBy(m => m.Parameters.Length)
        .Select(m => m.Method)
        .FirstOrDefault();

    /// <summary>A GET with <c>Upgrade: websocket</c> and <c>Connection: Upgrade</c>.</summary>
    public static bool IsUpgradeRequest(HttpListenerRequest request) =>
        string.Equals(request.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase) &&
        ContainsToken(request.Headers["Upgrade"], "websocket") &&
        ContainsToken(request.Headers["Connection"], "upgrade");

    public static async Task Run(
        HttpListenerContext context,
        IDictionary<string, object> environment,
        IDictionary<string, object>? acceptOptions,
        WebSocketFunc callback,
        CancellationToken callCancelled)
    {
        HttpListenerRequest request = context.Request;
        string? key = request.Headers["Sec-WebSocket-Key"];
        if (request.Headers["Sec-WebSocket-Version"] != "13" || string.IsNullOrWhiteSpace(key) || CreateFromStream is null)
        {
            context.Response.StatusCode = 400;
            if (request.Headers["Sec-WebSocket-Version"] != "13")
            {
                context.Response.AddHeader("Sec-WebSocket-Version", "13");
            }

            context.Response.Close();
            return;
        }

        string? subProtocol = acceptOptions is not null && acceptOptions.TryGetValue("websocket.SubProtocol", out object? value) ? value as string : null;
        Stream stream = MonoListenerInternals.TakeStream(context, out byte[] readAhead);
        byte[] handshake = Encoding.ASCII.GetBytes(SwitchingProtocols(key!, subProtocol, environment));
        WebSocket? webSocket = null;
        try
        {
            await stream.WriteAsync(handshake, 0, handshake.Length, callCancelled).ConfigureAwait(false);
            await stream.FlushAsync(callCancelled).ConfigureAwait(false);

            Stream transport = readAhead.Length == 0 ? stream : new ReadAheadStream(readAhead, stream);
            webSocket = Create(transport, subProtocol);
            var webSocketEnvironment = new Dictionary<string, object>(environment, StringComparer.Ordinal)
            {
                ["websocket.Version"] = "1.0",
                ["websocket.CallCancelled"] = callCancelled,
                [typeof(WebSocketContext).FullName!] = new ListenerWebSocketContext(request, webSocket),
            };
            AddOwinFunctions(webSocketEnvironment, webSocket);

            await callback(webSocketEnvironment).ConfigureAwait(false);

            // The application is done: finish the closing handshake if it has not, briefly.
            if (webSocket.State == WebSocketState.Open || webSocket.State == WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException || e is WebSocketException || e is OperationCanceledException || e is ObjectDisposedException)
        {
            // The client went away; SignalR has seen it through its own receive loop.
        }
        finally
        {
            webSocket?.Dispose();
            try
            {
                MonoListenerInternals.Close(context);
            }
            catch (TargetInvocationException)
            {
                // Already closed.
            }
        }
    }

    /// <summary>The 101 answer: the handshake headers, then the ones the application set, then Mono's own two.</summary>
    private static string SwitchingProtocols(string key, string? subProtocol, IDictionary<string, object> environment)
    {
        string accept;
#pragma warning disable CA5350 // RFC 6455 prescribes SHA-1 for Sec-WebSocket-Accept; it protects nothing here.
        using (var sha1 = SHA1.Create())
#pragma warning restore CA5350
        {
            accept = Convert.ToBase64String(sha1.ComputeHash(Encoding.ASCII.GetBytes(key.Trim() + Rfc6455Guid)));
        }

        var response = new StringBuilder();
        response.Append("HTTP/1.1 101 Switching Protocols\r\n");
        response.Append("Upgrade: websocket\r\n");
        response.Append("Connection: Upgrade\r\n");
        response.Append("Sec-WebSocket-Accept: ").Append(accept).Append("\r\n");
        if (subProtocol is not null)
        {
            response.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        }

        var headers = (IDictionary<string, string[]>)environment["owin.ResponseHeaders"];
        foreach (var header in headers)
        {
            switch (header.Key.ToUpperInvariant())
            {
                case "UPGRADE":
                case "CONNECTION":
                case "SEC-WEBSOCKET-ACCEPT":
                case "SEC-WEBSOCKET-PROTOCOL":
                case "CONTENT-LENGTH":
                case "TRANSFER-ENCODING":
                    break;
                default:
                    foreach (string value in header.Value)
                    {
                        response.Append(header.Key).Append(": ").Append(value).Append("\r\n");
                    }

                    break;
            }
        }

        response.Append("Server: Mono-HTTPAPI/1.0\r\n");
        response.Append("Date: ").Append(DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        response.Append("\r\n");
        return response.ToString();
    }

    private static WebSocket Create(Stream stream, string? subProtocol)
    {
        ParameterInfo[] parameters = CreateFromStream!.GetParameters();
        object?[] arguments = new object?[parameters.Length];
        arguments[0] = stream;
        arguments[1] = true; // isServer
        arguments[2] = subProtocol;
        arguments[3] = WebSocket.DefaultKeepAliveInterval;
        for (int i = 4; i < parameters.Length; i++)
        {
            Type type = parameters[i].ParameterType;
            arguments[i] = parameters[i].HasDefaultValue && parameters[i].DefaultValue is not null
                ? parameters[i].DefaultValue
                : type.IsValueType ? Activator.CreateInstance(type) : null;
        }

        return (WebSocket)CreateFromStream.Invoke(null, arguments)!;
    }

    /// <summary>The OWIN WebSocket extension's functions (websocket.SendAsync, ReceiveAsync, CloseAsync).</summary>
    private static void AddOwinFunctions(Dictionary<string, object> environment, WebSocket webSocket)
    {
        environment["websocket.SendAsync"] = new Func<ArraySegment<byte>, int, bool, CancellationToken, Task>(
            (data, opCode, endOfMessage, cancel) => webSocket.SendAsync(data, ToMessageType(opCode), endOfMessage, cancel));
        environment["websocket.ReceiveAsync"] = new Func<ArraySegment<byte>, CancellationToken, Task<Tuple<int, bool, int>>>(
            async (data, cancel) =>
            {
                WebSocketReceiveResult result = await webSocket.ReceiveAsync(data, cancel).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    environment["websocket.ClientCloseStatus"] = (int)(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure);
                    environment["websocket.ClientCloseDescription"] = result.CloseStatusDescription ?? string.Empty;
                }

                return Tuple.Create(ToOpCode(result.MessageType), result.EndOfMessage, result.Count);
            });
        environment["websocket.CloseAsync"] = new Func<int, string, CancellationToken, Task>(
            (status, description, cancel) => webSocket.CloseOutputAsync((WebSocketCloseStatus)status, description, cancel));
    }

    private static WebSocketMessageType ToMessageType(int opCode) => opCode switch
    {
        0x1 => WebSocketMessageType.Text,
        0x2 => WebSocketMessageType.Binary,
        0x8 => WebSocketMessageType.Close,
        _ => throw new ArgumentOutOfRangeException(nameof(opCode), opCode, "Not a WebSocket message op code."),
    };

    private static int ToOpCode(WebSocketMessageType type) => type switch
    {
        WebSocketMessageType.Text => 0x1,
        WebSocketMessageType.Binary => 0x2,
        _ => 0x8,
    };

    private static bool ContainsToken(string? header, string token) =>
        header is not null && header.Split(',').Any(part => string.Equals(part.Trim(), token, StringComparison.OrdinalIgnoreCase));

    /// <summary>What the request carried: the WebSocket handshake's view of the upgrade request.</summary>
    private sealed class ListenerWebSocketContext : WebSocketContext
    {
        private readonly HttpListenerRequest _request;

        public ListenerWebSocketContext(HttpListenerRequest request, WebSocket webSocket)
        {
            _request = request;
            WebSocket = webSocket;
        }

        public override CookieCollection CookieCollection => _request.Cookies;

        public override NameValueCollection Headers => _request.Headers;

        public override bool IsAuthenticated => false;

        public override bool IsLocal => _request.IsLocal;

        public override bool IsSecureConnection => _request.IsSecureConnection;

        public override string Origin => _request.Headers["Origin"];

        public override Uri RequestUri => _request.Url;

        public override string SecWebSocketKey => _request.Headers["Sec-WebSocket-Key"];

        public override IEnumerable<string> SecWebSocketProtocols =>
            (_request.Headers["Sec-WebSocket-Protocol"] ?? string.Empty).Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim());

        public override string SecWebSocketVersion => _request.Headers["Sec-WebSocket-Version"];

        public override IPrincipal User => null!;

        public override WebSocket WebSocket { get; }
    }

    /// <summary>Yields the bytes the listener read past the request's headers, then reads the connection itself.</summary>
    private sealed class ReadAheadStream : Stream
    {
        private readonly byte[] _readAhead;
        private readonly Stream _inner;
        private int _position;

        public ReadAheadStream(byte[] readAhead, Stream inner)
        {
            _readAhead = readAhead;
            _inner = inner;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int copied = CopyReadAhead(buffer, offset, count);
            return copied > 0 ? copied : _inner.Read(buffer, offset, count);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int copied = CopyReadAhead(buffer, offset, count);
            return copied > 0 ? Task.FromResult(copied) : _inner.ReadAsync(buffer, offset, count, cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int CopyReadAhead(byte[] buffer, int offset, int count)
        {
            int available = _readAhead.Length - _position;
            if (available <= 0)
            {
                return 0;
            }

            int copied = Math.Min(available, count);
            Buffer.BlockCopy(_readAhead, _position, buffer, offset, copied);
            _position += copied;
            return copied;
        }
    }
}
