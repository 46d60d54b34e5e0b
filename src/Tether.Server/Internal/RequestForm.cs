using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Tether.Server.Internal;

/// <summary>
/// Reads the <c>application/x-www-form-urlencoded</c> body of <c>/send</c> and of the JavaScript client's long polls
/// with a bound on the whole body, not on each value.
/// </summary>
internal static class RequestForm
{
    private const int MaxKeyLength = 1024;
    private const int MaxValueCount = 1024;

    /// <summary>Whether the request announces a body (a positive Content-Length or a Transfer-Encoding).</summary>
    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is null or > 0 && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0);

    /// <summary>The text of a 413 answer.</summary>
    public static string TooLarge(int limit) =>
        $"Protocol error: The request body is larger than the {limit} bytes this server accepts (MaxIncomingSendSize).";

    /// <summary>
    /// Reads the form whatever the Content-Type says (the classic .NET client sends none); an empty body is an empty
    /// form. A body larger than <paramref name="limit"/> bytes — declared by Content-Length, or counted while a chunked
    /// body streams in — is answered 413 before anything past the limit is read, and <see langword="null"/> returned.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="limit">The largest body accepted, in bytes.</param>
    /// <returns>The form, or <see langword="null"/> when the request was answered 413.</returns>
    public static async Task<Dictionary<string, StringValues>?> ReadAsync(HttpContext context, int limit)
    {
        var request = context.Request;
        if (!HasBody(request))
        {
            return [];
        }

        // Kestrel then enforces the limit itself too: it closes the connection instead of draining an unread rest.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        if (request.ContentLength > limit)
        {
            await AnswerTooLargeAsync(context, limit).ConfigureAwait(false);
            return null;
        }

        try
        {
            using var reader = new FormReader(new BoundedReadStream(request.Body, limit), Encoding.UTF8)
            {
                ValueLengthLimit = limit,
                KeyLengthLimit = MaxKeyLength,
                ValueCountLimit = MaxValueCount,
            };
            return await reader.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException || ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            await AnswerTooLargeAsync(context, limit).ConfigureAwait(false);
            return null;
        }
    }

    private static Task AnswerTooLargeAsync(HttpContext context, int limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(TooLarge(limit), context.RequestAborted);
    }
}
