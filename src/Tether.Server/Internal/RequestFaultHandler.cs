using System.Globalization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tether.Server.Messaging;

namespace Tether.Server.Internal;

/// <summary>
/// Runs first in every persistent-connection endpoint and turns expected failures into clear answers instead of
/// unhandled-exception 500s: a message bus that is unavailable gives 503 with <c>Retry-After</c> (logged as a warning),
/// a malformed or slow body gives Kestrel's own status (400, 408, 413; logged at Debug), and a client that went away
/// mid-request is logged at Debug.
/// </summary>
internal sealed partial class RequestFaultHandler(RequestDelegate next, ILogger<RequestFaultHandler> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (FindUnavailable(ex) is { } unavailable)
        {
            int seconds = RetryAfterSeconds(unavailable.RetryAfter);
            Log.BusUnavailable(logger, context.Request.Path.Value ?? string.Empty, seconds, unavailable);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Unavailable(seconds), context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            Log.BadRequestBody(logger, ex.StatusCode, ex.Message);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.StatusCode = ex.StatusCode;
                if (ex is RequestRejectedException)
                {
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync(ex.Message, context.RequestAborted).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && IsClientGone(ex))
        {
            Log.ClientGone(logger, context.Request.Path.Value ?? string.Empty, ex.GetType().Name);
        }
    }

    /// <summary>The text of a 503 answer.</summary>
    internal static string Unavailable(int seconds) =>
        $"Service Unavailable: the message bus cannot be reached. Retry after {seconds} s.";

    /// <summary><c>Retry-After</c> in whole seconds, rounded up, at least 1.</summary>
    internal static int RetryAfterSeconds(TimeSpan retryAfter) =>
        (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, int.MaxValue);

    /// <summary>The bus failure behind <paramref name="ex"/>, also when user code wrapped it (or a task's AggregateException).</summary>
    internal static MessageBusUnavailableException? FindUnavailable(Exception ex)
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            if (current is MessageBusUnavailableException unavailable)
            {
                return unavailable;
            }
        }

        return null;
    }

    private static bool IsClientGone(Exception ex) =>
        ex is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException;

    private static partial class Log
    {
        [LoggerMessage(71, LogLevel.Warning, "Answered {Path} with 503: the message bus is unavailable (retry after {RetryAfterSeconds} s).", EventName = "BusUnavailable")]
        public static partial void BusUnavailable(ILogger logger, string path, int retryAfterSeconds, Exception exception);

        [LoggerMessage(72, LogLevel.Debug, "Refused a request body ({StatusCode}): {Reason}", EventName = "BadRequestBody")]
        public static partial void BadRequestBody(ILogger logger, int statusCode, string reason);

        [LoggerMessage(73, LogLevel.Debug, "Request {Path} ended: the client went away ({Reason}).", EventName = "RequestClientGone")]
        public static partial void ClientGone(ILogger logger, string path, string reason);
    }
}
