using System.Text;
using Microsoft.AspNetCore.Http;
using Tether.Protocol;

namespace Tether.Server.Internal;

/// <summary>The dispatcher's whole answers: a JSON body (wrapped for JSONP) or a status with a text.</summary>
internal static class PlainResponses
{
    /// <summary>Answers 200 with <paramref name="json"/>, as <c>callback(json);</c> when a JSONP callback is given.</summary>
    public static Task WriteJsonAsync(HttpContext context, string json, string? callback) =>
        WriteJsonAsync(context, Encoding.UTF8.GetBytes(json), callback);

    /// <summary>Answers 200 with the UTF-8 <paramref name="json"/>, as <c>callback(json);</c> when a JSONP callback is given.</summary>
    public static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json, string? callback)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (callback is null)
        {
            response.ContentType = ProtocolConstants.JsonContentType;
            await response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = ProtocolConstants.JavaScriptContentType;
        await response.WriteAsync(callback + "(", context.RequestAborted).ConfigureAwait(false);
        await response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
        await response.WriteAsync(");", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Answers <paramref name="status"/> with <paramref name="text"/> as the body.</summary>
    public static Task FailAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
