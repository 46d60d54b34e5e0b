namespace Tether.Server.Internal;

/// <summary>The operation of a request, chosen only from the path suffix as the classic server does (docs/protocol.md#urls-and-dispatch).</summary>
internal enum RequestOperation
{
    Negotiate,
    Ping,
    Start,
    Send,
    Abort,
    Connect,
    Reconnect,

    /// <summary>Any other path: a poll for long polling, a reconnect for streaming transports.</summary>
    Receive,
}

internal static class RequestOperations
{
    public static RequestOperation FromPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return RequestOperation.Receive;
        }

        // Order matters: "/reconnect" ends with "connect", so test it first.
        if (path.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase))
        {
            return RequestOperation.Negotiate;
        }

        if (path.EndsWith("/ping", StringComparison.OrdinalIgnoreCase))
        {
            return RequestOperation.Ping;
        }

        if (path.EndsWith("/start", StringComparison.OrdinalIgnoreCase))
        {
            return RequestOperation.Start;
        }

        if (path.EndsWith("/send", StringComparison.OrdinalIgnoreCase))
        {
            return RequestOperation.Send;
        }

        if (path.EndsWith("/abort", StringComparison.OrdinalIgnoreCase))
        {
            return RequestOperation.Abort;
        }

        if (path.EndsWith("/reconnect", StringComparison.OrdinalIgnoreCase))
        {
            return RequestOperation.Reconnect;
        }

        if (path.EndsWith("/connect", StringComparison.OrdinalIgnoreCase))
        {
            return RequestOperation.Connect;
        }

        return RequestOperation.Receive;
    }
}
