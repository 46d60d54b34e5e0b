using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Owin;

namespace Tether.ClassicServer;

/// <summary>
/// A small OWIN server over <see cref="HttpListener"/> (Mono's), in the role Microsoft.Owin.Host.HttpListener plays for
/// a classic self-hosted SignalR app: it turns each request into an OWIN environment, routes it by path prefix the way
/// <c>app.Map(path, ...)</c> does (the prefix goes to owin.RequestPathBase), and runs the mapped middleware. It offers
/// <c>websocket.Accept</c> on upgrade requests and answers the handshake itself (Mono's listener cannot), and it cancels
/// <c>owin.CallCancelled</c> when the client goes away, as HTTP.sys-based hosts do.
/// </summary>
internal sealed class OwinHttpListenerHost : IDisposable
{
    private readonly HttpListener _listener;
    private readonly IReadOnlyList<KeyValuePair<string, OwinMiddleware>> _routes;
    private readonly ConcurrentDictionary<RequestState, bool> _inFlight = new();
    private readonly Timer _disconnectWatch;

    private OwinHttpListenerHost(HttpListener listener, string baseUrl, IReadOnlyList<KeyValuePair<string, OwinMiddleware>> routes)
    {
        _listener = listener;
        BaseUrl = baseUrl;
        _routes = routes;
        _disconnectWatch = new Timer(_ => WatchDisconnects(), null, 200, 200);
    }

    public string BaseUrl { get; }

    /// <summary>Listens on 127.0.0.1 only; port 0 picks a free port (retrying if another process takes it first).</summary>
    public static OwinHttpListenerHost Start(int port, IReadOnlyList<KeyValuePair<string, OwinMiddleware>> routes)
    {
        for (int attempt = 1; ; attempt++)
        {
            int chosen = port == 0 ? FreePort.Next() : port;
            string baseUrl = "http://127.0.0.1:" + chosen.ToString(CultureInfo.InvariantCulture) + "/";
            var listener = new HttpListener { IgnoreWriteExceptions = false };
            listener.Prefixes.Add(baseUrl);
            try
            {
                listener.Start();
            }
            catch (Exception e) when (port == 0 && attempt < 20 && (e is HttpListenerException || e is SocketException))
            {
                listener.Close();
                continue;
            }

            var host = new OwinHttpListenerHost(listener, baseUrl, routes);
            _ = Task.Run(host.AcceptLoop);
            return host;
        }
    }

    public void Dispose()
    {
        _disconnectWatch.Dispose();
        _listener.Close();
    }

    private async Task AcceptLoop()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException || e is HttpListenerException || e is InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        SplitUrl(request.RawUrl, out string path, out string query);
        OwinMiddleware? middleware = null;
        string pathBase = string.Empty;
        foreach (var route in _routes)
        {
            // Map's rule: the prefix matches whole segments, case-insensitively.
            if (path.StartsWith(route.Key, StringComparison.OrdinalIgnoreCase) &&
                (path.Length == route.Key.Length || path[route.Key.Length] == '/'))
            {
                middleware = route.Value;
                pathBase = path.Substring(0, route.Key.Length);
                path = path.Substring(route.Key.Length);
                break;
            }
        }

        if (middleware is null)
        {
            TryRespond(context.Response, 404);
            return;
        }

        bool isUpgrade = WebSocketUpgrade.IsUpgradeRequest(request);
        var state = new RequestState(isUpgrade ? null : MonoListenerInternals.TryGetSocket(context));
        var environment = CreateEnvironment(context, pathBase, path, query, isUpgrade, state.Cancel.Token);
        var body = new ResponseBody(context.Response, environment, state.TryCancel);
        environment["owin.ResponseBody"] = body;
        environment["server.OnSendingHeaders"] = new Action<Action<object>, object>(body.OnSendingHeaders);

        IDictionary<string, object>? acceptOptions = null;
        Func<IDictionary<string, object>, Task>? acceptCallback = null;
        if (isUpgrade)
        {
            environment["websocket.Accept"] = new Action<IDictionary<string, object>, Func<IDictionary<string, object>, Task>>(
                (options, callback) =>
                {
                    acceptOptions = options;
                    acceptCallback = callback;
                });
        }

        if (state.Socket is not null)
        {
            _inFlight[state] = true;
        }

        try
        {
            await middleware.Invoke(new OwinContext(environment)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("ClassicServer: unhandled exception for " + request.HttpMethod + " " + request.RawUrl + ": " + e);
            if (!body.HeadersSent)
            {
                TryRespond(context.Response, 500);
            }
            else
            {
                context.Response.Abort();
            }

            return;
        }
        finally
        {
            _inFlight.TryRemove(state, out _);
        }

        int status = environment.TryGetValue("owin.ResponseStatusCode", out object? value) && value is int code ? code : 200;
        if (acceptCallback is not null && (status == 200 || status == 101))
        {
            await WebSocketUpgrade.Run(context, environment, acceptOptions, acceptCallback, state.Cancel.Token).ConfigureAwait(false);
            return;
        }

        try
        {
            body.EnsureHeaders();
            context.Response.Close();
        }
        catch (Exception e) when (e is IOException || e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
        {
            // The client went away before the end of the response.
        }
    }

    private static Dictionary<string, object> CreateEnvironment(
        HttpListenerContext context, string pathBase, string path, string query, bool isUpgrade, CancellationToken callCancelled)
    {
        HttpListenerRequest request = context.Request;
        var requestHeaders = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (string? name in request.Headers.AllKeys)
        {
            if (name is not null)
            {
                requestHeaders[name] = new[] { request.Headers[name] };
            }
        }

        var capabilities = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["server.Name"] = "Tether.ClassicServer",
            ["websocket.Version"] = "1.0",
        };

        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["owin.Version"] = "1.0",
            ["owin.CallCancelled"] = callCancelled,
            ["owin.RequestProtocol"] = "HTTP/" + request.ProtocolVersion.ToString(2),
            ["owin.RequestMethod"] = request.HttpMethod,
            ["owin.RequestScheme"] = request.IsSecureConnection ? "https" : "http",
            ["owin.RequestPathBase"] = pathBase,
            ["owin.RequestPath"] = path,
            ["owin.RequestQueryString"] = query,
            ["owin.RequestHeaders"] = requestHeaders,
            // An upgrade request has no body; leaving Mono's request stream alone keeps its read-ahead buffer intact.
            ["owin.RequestBody"] = isUpgrade ? Stream.Null : request.InputStream,
            ["owin.ResponseHeaders"] = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase),
            ["owin.ResponseStatusCode"] = 200,
            ["server.RemoteIpAddress"] = request.RemoteEndPoint.Address.ToString(),
            ["server.RemotePort"] = request.RemoteEndPoint.Port.ToString(CultureInfo.InvariantCulture),
            ["server.LocalIpAddress"] = request.LocalEndPoint.Address.ToString(),
            ["server.LocalPort"] = request.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture),
            ["server.IsLocal"] = request.IsLocal,
            ["server.Capabilities"] = capabilities,
            ["host.AppName"] = "ClassicServer",
            [typeof(HttpListenerContext).FullName!] = context,
        };
    }

    private static void SplitUrl(string rawUrl, out string path, out string query)
    {
        if (!rawUrl.StartsWith("/", StringComparison.Ordinal) && Uri.TryCreate(rawUrl, UriKind.Absolute, out Uri? absolute))
        {
            rawUrl = absolute.PathAndQuery;
        }

        int mark = rawUrl.IndexOf('?');
        string rawPath = mark < 0 ? rawUrl : rawUrl.Substring(0, mark);
        query = mark < 0 ? string.Empty : rawUrl.Substring(mark + 1);
        path = Uri.UnescapeDataString(rawPath);
    }

    private static void TryRespond(HttpListenerResponse response, int status)
    {
        try
        {
            response.StatusCode = status;
            response.Close();
        }
        catch (Exception e) when (e is IOException || e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
        {
            // The client went away.
        }
    }

    /// <summary>
    /// HttpListener tells nobody when a client closes its connection mid-request; a long poll or an SSE stream would
    /// hold until a write fails. A closed socket polls readable with nothing to read: then owin.CallCancelled fires.
    /// </summary>
    private void WatchDisconnects()
    {
        foreach (RequestState state in _inFlight.Keys)
        {
            if (IsClosed(state.Socket!) && _inFlight.TryRemove(state, out _))
            {
                state.TryCancel();
            }
        }
    }

    private static bool IsClosed(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception e) when (e is ObjectDisposedException || e is SocketException)
        {
            return true;
        }
    }

    private sealed class RequestState
    {
        private int _cancelled;

        public RequestState(Socket? socket) => Socket = socket;

        public Socket? Socket { get; }

        public CancellationTokenSource Cancel { get; } = new();

        /// <summary>Cancels owin.CallCancelled once, off the caller's stack (SignalR's callbacks do real work).</summary>
        public void TryCancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                _ = Task.Run(() => Cancel.Cancel());
            }
        }
    }
}
