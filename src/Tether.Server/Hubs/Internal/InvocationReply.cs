using System.Buffers;
using Microsoft.AspNetCore.Http;
using Tether.Protocol;
using Tether.Server.Internal.Transports;

namespace Tether.Server.Hubs.Internal;

/// <summary>
/// Where a call's result goes: a frame of its own on a WebSocket, or the body of the <c>/send</c> response (long
/// polling, Server-Sent Events). A call that cannot be read is answered 400 on <c>/send</c>; on a WebSocket it is
/// dropped (there is no call id to answer).
/// </summary>
internal static class InvocationReply
{
    public static async Task SendAsync(IRequest request, ReadOnlyMemory<byte> json, TimeSpan writeTimeout)
    {
        if (request.HttpContext is not { } context)
        {
            return;
        }

        if (context.Features.Get<IDirectReplyFeature>() is { } socket)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(writeTimeout);
            await socket.ReplyAsync(json, timeout.Token).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ProtocolConstants.JsonContentType;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    public static Task RejectAsync(IRequest request, string reason)
    {
        if (request.HttpContext is not { } context || context.Features.Get<IDirectReplyFeature>() is not null)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(reason, context.RequestAborted);
    }

    public static byte[] Encode(HubInvocationResult result, System.Text.Json.JsonSerializerOptions json)
    {
        var output = new ArrayBufferWriter<byte>(64);
        ClassicHubWire.WriteResult(output, result, json);
        return output.WrittenSpan.ToArray();
    }
}
