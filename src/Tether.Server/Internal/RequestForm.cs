using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Tether.Server.Internal;

/// <summary>
/// Reads the <c>application/x-www-form-urlencoded</c> body of <c>/send</c> and of the JavaScript client's long polls
/// with a bound on the whole body, not on each value.
/// </summary>
internal static class RequestForm
{
    /// <summary>
    /// Bodies declared up to this size are read into one buffer of their size at once; larger or chunked ones into
    /// pooled buffers that grow only as bytes arrive, so a declared length costs nothing before its bytes come.
    /// </summary>
    private const int DeclaredUpFrontBytes = 16 * 1024;

    /// <summary>The first buffer of a growing read; it doubles as the body grows.</summary>
    private const int GrowingInitialBytes = 1024;

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
    public static async ValueTask<UrlEncodedForm?> ReadAsync(HttpContext context, int limit)
    {
        var request = context.Request;
        if (!HasBody(request))
        {
            return UrlEncodedForm.Empty;
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
            return request.ContentLength is { } length and <= DeclaredUpFrontBytes
                ? await ReadDeclaredAsync(request.Body, (int)length, context.RequestAborted).ConfigureAwait(false)
                : await ReadGrowingAsync(request.Body, limit, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException || ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            await AnswerTooLargeAsync(context, limit).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>A small body of a declared length (at most the limit): one buffer of exactly that size, the form keeps it.</summary>
    private static async ValueTask<UrlEncodedForm> ReadDeclaredAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[length];
        int read = await body.ReadAtLeastAsync(buffer, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return new UrlEncodedForm(buffer, read);
    }

    /// <summary>A chunked or large body: pooled buffers that grow up to one byte past the limit, then one copy.</summary>
    private static async ValueTask<UrlEncodedForm> ReadGrowingAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(GrowingInitialBytes, limit + 1));
        int total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, limit + 1L));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                // Never ask for more than one byte past the limit: enough to know the body is too large.
                int wanted = Math.Min(buffer.Length - total, limit + 1 - total);
                int read = await body.ReadAsync(buffer.AsMemory(total, wanted), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new UrlEncodedForm(buffer.AsSpan(0, total).ToArray(), total);
                }

                total += read;
                if (total > limit)
                {
                    throw new InvalidDataException($"The request body is larger than {limit} bytes.");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Task AnswerTooLargeAsync(HttpContext context, int limit)
    {
        // The unread rest of the body cannot be drained, so the connection ends after this answer: say so, or the
        // client would reuse it for its next request and see that one fail.
        context.Response.Headers.Connection = "close";
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(TooLarge(limit), context.RequestAborted);
    }
}
