using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.WebSockets;
using System.Reflection;
#if NET
using System.Runtime.CompilerServices;
#endif
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Tether.Client.Http;
using Tether.Client.Internal;

namespace Tether.Client;

public partial class Connection
{
    /// <summary>
    /// The User-Agent of every HTTP request (not of the WebSocket handshake, as classic): the classic client's product
    /// token first, for servers that look for it, then Tether.Client's own.
    /// </summary>
    private static readonly string s_userAgent = string.Format(
        CultureInfo.InvariantCulture,
        "SignalR.Client.NetStandard/2.4.2.0 ({0}) Tether.Client/{1}",
        Environment.OSVersion,
        typeof(Connection).Assembly.GetName().Version);

    /// <summary>Sends one protocol request with the connection's headers and tokens; a non-success status throws <see cref="HttpClientException"/>.</summary>
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    internal async ValueTask<HttpResponseMessage> SendHttpAsync(IHttpClient client, HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken) =>
        EnsureSuccess(await StartHttpAsync(client, request, isLongRunning, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Starts one protocol request with the connection's headers and tokens; pass the response to
    /// <see cref="EnsureSuccess"/>. Without headers to apply, this is the HTTP client's own task: no state machine here.
    /// </summary>
    internal Task<HttpResponseMessage> StartHttpAsync(IHttpClient client, HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("User-Agent", s_userAgent);
        return Headers.Count > 0 || HeadersProvider != null || AccessTokenProvider != null
            ? ApplyHeadersThenSendAsync(client, request, isLongRunning, cancellationToken)
            : client.SendAsync(request, isLongRunning, cancellationToken);
    }

    /// <summary>Returns a success response; disposes any other and throws <see cref="HttpClientException"/>.</summary>
    internal static HttpResponseMessage EnsureSuccess(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new HttpClientException(response);
        }

        return response;
    }

    private async Task<HttpResponseMessage> ApplyHeadersThenSendAsync(IHttpClient client, HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken)
    {
        await ApplyHeadersAsync(request).ConfigureAwait(false);
        return await client.SendAsync(request, isLongRunning, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies headers, tokens, cookies, credentials, proxy, certificates and the validation callback to a WebSocket handshake.</summary>
    internal async Task ConfigureWebSocketAsync(ClientWebSocketOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await ApplyHeadersAsync(options.SetRequestHeader).ConfigureAwait(false);
        if (CookieContainer != null)
        {
            options.Cookies = CookieContainer;
        }

        if (Credentials != null)
        {
            options.Credentials = Credentials;
        }

        if (Proxy != null)
        {
            options.Proxy = Proxy;
        }

        X509Certificate[] certificates;
        lock (_lock)
        {
            certificates = _certificates.Cast<X509Certificate>().ToArray();
        }

        if (certificates.Length > 0)
        {
            options.ClientCertificates = new X509CertificateCollection(certificates);
        }

        if (ServerCertificateValidationCallback is { } validate)
        {
            WebSocketCertificates.SetValidationCallback(options, validate);
        }
    }

    /// <summary>Applies the connection's headers and tokens to a request (a header HTTP files under content goes there).</summary>
    private Task ApplyHeadersAsync(HttpRequestMessage request) =>
        ApplyHeadersAsync(
            (name, value) =>
            {
                request.Headers.Remove(name);
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, value);
                }
            });

    private async Task ApplyHeadersAsync(Action<string, string> add)
    {
        if (Headers.Count > 0)
        {
            foreach (KeyValuePair<string, string> header in Headers.ToArray())
            {
                add(header.Key, header.Value);
            }
        }

        if (HeadersProvider is { } headersProvider && await headersProvider().ConfigureAwait(false) is { } extra)
        {
            foreach (KeyValuePair<string, string> header in extra)
            {
                add(header.Key, header.Value);
            }
        }

        if (AccessTokenProvider is { } tokenProvider)
        {
            string? token = await tokenProvider().ConfigureAwait(false);
            if (!string.IsNullOrEmpty(token))
            {
                add("Authorization", "Bearer " + token);
            }
        }
    }
}
