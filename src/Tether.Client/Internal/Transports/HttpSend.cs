using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
#if NET
using System.Runtime.CompilerServices;
#endif
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>The <c>/send</c> request of the HTTP transports (Server-Sent Events and long polling).</summary>
internal static class HttpSend
{
    private static readonly MediaTypeHeaderValue s_formContentType = new("application/x-www-form-urlencoded");

    /// <summary>
    /// POSTs <c>data=…</c> with the classic encoder to the transport's <c>/send</c> URL (built once per connection
    /// token). Unlike the classic client, the body is labelled <c>application/x-www-form-urlencoded</c>: classic
    /// servers parse it either way, and strict servers need it. A non-empty answer (a hub result) is reported to the
    /// connection; an answer of length 0 is not read at all.
    /// </summary>
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    public static async ValueTask SendAsync(TransportContext context, TransportOutput output, string transport, string data, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(FormUrlEncoder.EncodeSendBody(data));
        content.Headers.ContentType = s_formContentType;
        using var request = new HttpRequestMessage(HttpMethod.Post, context.SendUrl(transport)) { Content = content };
        using HttpResponseMessage response = TransportContext.EnsureSuccess(await context.StartHttpAsync(request, isLongRunning: false, cancellationToken).ConfigureAwait(false));
        if (response.Content.Headers.ContentLength == 0)
        {
            return;
        }

        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!string.IsNullOrEmpty(body))
        {
            output.SendAnswer(body);
        }
    }

    /// <summary>Reads a whole body into <paramref name="body"/> (emptied first), reporting every chunk as server activity (long-polling keep-alive spaces count).</summary>
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
#endif
    public static async ValueTask ReadBodyAsync(TransportContext context, HttpResponseMessage response, MemoryStream body, byte[] buffer, CancellationToken cancellationToken)
    {
        body.SetLength(0);
        using Stream stream = await StreamReads.OpenAsync(response.Content, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            int read = await StreamReads.ReadAsync(stream, buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            context.MarkActivity();
            body.Write(buffer, 0, read);
        }
    }
}
