using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>The services every receive request uses, resolved once per mapped connection type.</summary>
internal sealed class ReceiveServices(IMessageBus bus, ConnectionTokenProtector tokens, ConnectionTracker tracker, TimeProvider time, ILogger logger)
{
    public IMessageBus Bus { get; } = bus;

    public ConnectionTokenProtector Tokens { get; } = tokens;

    public ConnectionTracker Tracker { get; } = tracker;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;
}

/// <summary>
/// Runs one receive request on a transport's sink: registers it with the tracker (replacing an older one), runs the
/// receive loop, and always unregisters it. A request for a connection that was already disconnected gets one response
/// with <c>E</c>, which makes classic clients stop instead of reconnecting forever.
/// </summary>
/// <remarks>
/// <c>alongside</c> starts with the loop (a WebSocket's read loop); <c>afterLoop</c> runs once
/// the loop has ended and before <c>alongside</c> is awaited (a WebSocket's close handshake).
/// </remarks>
internal static partial class ReceiveRunner
{
    public const string DisconnectedError = "The connection has been disconnected by the server. Start a new connection.";

    public static async Task RunAsync(
        HttpContext context,
        ReceiveRequest request,
        ReceiveServices services,
        IDisconnectHandler owner,
        IResponseSink sink,
        bool isLongPolling,
        Func<ReceiveSession, Task>? alongside = null,
        Func<Task>? afterLoop = null)
    {
        using var session = new ReceiveSession(request.ConnectionId, isLongPolling, services.Time.GetTimestamp(), context.RequestAborted) { StartCursor = request.Cursor };
        bool arrived = request.Kind != ReceiveKind.Connect && !services.Tracker.IsTracked(request.ConnectionId);
        if (!services.Tracker.TryAttach(session, owner, () => new HttpRequestView(context).Snapshot()))
        {
            Log.RefusedDisconnected(services.Logger, request.ConnectionId);
            var header = new PersistentResponseHeader(request.Cursor ?? string.Empty, Error: DisconnectedError);
            await WriteQuietlyAsync(sink.WriteResponseAsync(header, [], context.RequestAborted), services.Logger, request.ConnectionId).ConfigureAwait(false);
            return;
        }

        if (arrived)
        {
            // Not awaited: the request must not wait for a backplane round trip (or its timeout, if Redis hangs).
            _ = AnnounceArrivalAsync(request.ConnectionId, services);
        }

        Task? side = null;
        try
        {
            side = alongside?.Invoke(session);
            await new ReceiveLoop(request, services.Bus, services.Tokens, services.Tracker).RunAsync(session, sink).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(ex, session))
        {
            Log.ClientGone(services.Logger, request.ConnectionId, ex.GetType().Name);
        }
        finally
        {
            services.Tracker.Detach(session);
            if (afterLoop is not null)
            {
                await afterLoop().ConfigureAwait(false);
            }

            session.End(ReceiveEndReason.ClientGone);
            if (side is not null)
            {
                await side.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Expected ends: the client went away, or the session was ended while a write was pending.</summary>
    public static bool IsClientGone(Exception ex, ReceiveSession session) =>
        ex is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException or WebSocketException
        || (ex is ObjectDisposedException && session.EndReason != ReceiveEndReason.None);

    /// <summary>
    /// A receive request of a connection this node did not track (the client moved here from another node of a
    /// scale-out cluster): tell the other nodes, so the one it left does not raise <c>OnDisconnected</c> for it later.
    /// </summary>
    private static async Task AnnounceArrivalAsync(string connectionId, ReceiveServices services)
    {
        try
        {
            var moved = new Command(CommandType.Moved, services.Tracker.NodeId);
            await services.Bus.PublishAsync(Message.ForCommand(Topics.ForConnection(connectionId), moved)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the bus throws (Redis unreachable, a timeout), the receive request goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Only a late duplicate OnDisconnected on the node it left is at stake; the request goes on.
            Log.ArrivalNotAnnounced(services.Logger, connectionId, ex.GetType().Name);
        }
    }

    private static async Task WriteQuietlyAsync(ValueTask write, ILogger logger, string connectionId)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException or WebSocketException)
        {
            Log.ClientGone(logger, connectionId, ex.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Debug, "Receive request of connection {ConnectionId} ended: the client went away ({Reason}).", EventName = "ClientGone")]
        public static partial void ClientGone(ILogger logger, string connectionId, string reason);

        [LoggerMessage(21, LogLevel.Debug, "Refused a receive request of connection {ConnectionId}: it was already disconnected.", EventName = "RefusedDisconnected")]
        public static partial void RefusedDisconnected(ILogger logger, string connectionId);

        [LoggerMessage(22, LogLevel.Warning, "Could not tell the other nodes that connection {ConnectionId} moved here ({Reason}).", EventName = "ArrivalNotAnnounced")]
        public static partial void ArrivalNotAnnounced(ILogger logger, string connectionId, string reason);
    }
}
