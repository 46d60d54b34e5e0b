using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Tether.Protocol;

namespace Tether.Server.Hubs.Internal;

/// <summary>Serves <c>/hubs</c> and <c>/js</c> below a hub endpoint: the proxy, generated once per endpoint URL, with an ETag.</summary>
internal sealed class JavaScriptProxyEndpoint(HubRuntime runtime)
{
    private readonly ConcurrentDictionary<string, JavaScriptProxy> _proxies = new(StringComparer.Ordinal);

    public async Task ServeAsync(HttpContext context)
    {
        string path = (context.Request.PathBase + context.Request.Path).Value!.TrimEnd('/');
        string endpointUrl = path[..path.LastIndexOf('/')];
        var proxy = _proxies.GetOrAdd(endpointUrl, url => JavaScriptProxy.Create(runtime.Catalog, url, runtime.Options.EnableJavaScriptProxies));

        var response = context.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ETag = proxy.ETag;
        response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch.Any(tag => tag == proxy.ETag || tag == "*"))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = ProtocolConstants.JavaScriptContentType;
        response.ContentLength = proxy.Script.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(proxy.Script, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
