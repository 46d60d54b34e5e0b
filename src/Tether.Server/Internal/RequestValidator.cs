using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tether.Server.Internal;

/// <summary>
/// Refuses, with 400 and a plain-text reason, requests that Kestrel lets through but that no persistent-connection
/// operation can serve, before any of their values is used.
/// </summary>
internal static partial class RequestValidator
{
    internal const string InvalidHost = "Bad Request: The Host header does not form a valid URL.";

    /// <summary>Answers 400 when the request is malformed.</summary>
    /// <param name="context">The request.</param>
    /// <param name="logger">Where the refusal is logged (Debug: it is the client's error).</param>
    /// <returns><see langword="true"/> when the request was refused and is complete.</returns>
    public static async ValueTask<bool> RejectAsync(HttpContext context, ILogger logger)
    {
        if (HttpRequestView.HasValidUrl(context.Request))
        {
            return false;
        }

        Log.InvalidHost(logger, context.Request.Host.Value ?? string.Empty);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(InvalidHost, context.RequestAborted).ConfigureAwait(false);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(70, LogLevel.Debug, "Refused a request whose Host header {Host} does not form a valid URL.", EventName = "InvalidHost")]
        public static partial void InvalidHost(ILogger logger, string host);
    }
}
