using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Tether.Server.Messaging;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// Runs one receive request on a transport's sink: makes it the connection's live request (replacing an older one),
/// runs the receive loop, and always detaches it. A request for a connection that has ended gets one response: the
/// disconnected error (<c>E</c>) after a timeout, which makes classic clients stop, or an ordinary empty one after a stop.
/// </summary>
/// <remarks>
/// <c>alongside</c> starts with the loop (a WebSocket's input loop); <c>afterLoop</c> runs once the loop has ended and
/// before <c>alongside</c> is awaited (a WebSocket's close handshake).
/// </remarks>
internal static partial class ReceiveRunner
{
    public const string DisconnectedError = "The connection has been disconnected by the server. Start a new connection.";

    public static async Task RunAsync(
        ReceiveContext receive,
        IResponseSink sink,
        Func<ReceiveSession, Task>? alongside = null,
        Func<ReceiveSession, Task>? afterLoop = null)
    {
        var (context, request, services) = (receive.Http, receive.Request, receive.Services);
        using var session = new ReceiveSession(request.ConnectionId, sink.EndsAfterResponse, services.Time.GetTimestamp(), services.Options.WriteTimeout, sink.NoticesClientGone ? CancellationToken.None : context.RequestAborted)
        {
            StartCursor = request.Cursor,
        };

        // The manager keeps the live request's view and snapshots it when the request detaches.
        var outcome = services.Connections.Attach(receive.Key, session, receive.Events, receive.View, request.Kind == ReceiveKind.Connect);
        if (outcome is AttachOutcome.Stopped or AttachOutcome.TimedOut)
        {
            Log.RefusedEnded(services.Logger, request.ConnectionId, outcome);
            var header = new PersistentResponseHeader(request.Cursor ?? string.Empty, Error: outcome == AttachOutcome.TimedOut ? DisconnectedError : null);
            await WriteQuietlyAsync(sink.WriteResponseAsync(header, [], context.RequestAborted), services.Logger, request.ConnectionId).ConfigureAwait(false);
            return;
        }

        if (outcome == AttachOutcome.Arrived)
        {
            // Not awaited: the request must not wait for a backplane round trip (or its timeout, if Redis hangs).
            _ = AnnounceArrivalAsync(request.ConnectionId, services);
        }

        Task? side = null;
        try
        {
            if (receive.OnAttached is { } onAttached)
            {
                await onAttached().ConfigureAwait(false);
            }

            side = alongside?.Invoke(session);
            await new ReceiveLoop(receive, session, sink).RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(ex, session))
        {
            if (session.EndReason == ReceiveEndReason.WriteTimedOut)
            {
                // The client stopped reading: drop the request so nothing more is held for it.
                Log.WriteTimedOut(services.Logger, request.ConnectionId, services.Options.WriteTimeout);
                context.Abort();
            }
            else
            {
                Log.ClientGone(services.Logger, request.ConnectionId, ex.GetType().Name);
            }
        }
        finally
        {
            services.Connections.Detach(receive.Key, session);
            if (afterLoop is not null)
            {
                await afterLoop(session).ConfigureAwait(false);
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
    /// A receive request of a connection this node did not know (the client moved here from another node of a
    /// scale-out cluster): tell the other nodes, so the one it left does not raise <c>OnDisconnected</c> for it later.
    /// </summary>
    private static async Task AnnounceArrivalAsync(string connectionId, ReceiveServices services)
    {
        try
        {
            var moved = new Command(CommandType.Moved, services.Connections.NodeId);
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

        [LoggerMessage(21, LogLevel.Debug, "Refused a receive request of connection {ConnectionId}: it has ended ({Outcome}).", EventName = "RefusedDisconnected")]
        public static partial void RefusedEnded(ILogger logger, string connectionId, AttachOutcome outcome);

        [LoggerMessage(22, LogLevel.Warning, "Could not tell the other nodes that connection {ConnectionId} moved here ({Reason}).", EventName = "ArrivalNotAnnounced")]
        public static partial void ArrivalNotAnnounced(ILogger logger, string connectionId, string reason);

        [LoggerMessage(23, LogLevel.Information, "Ended a receive request of connection {ConnectionId}: its client took no write for {WriteTimeout}; it resumes by reconnecting.", EventName = "WriteTimedOut")]
        public static partial void WriteTimedOut(ILogger logger, string connectionId, TimeSpan writeTimeout);
    }
}
