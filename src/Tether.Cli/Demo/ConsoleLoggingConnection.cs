using Tether.Cli.Output;
using Tether.Server;

namespace Tether.Cli.Demo;

/// <summary>
/// A persistent connection that prints its events to the console, one timestamped line each:
/// <c>/echo connected ID via longPolling</c>, <c>/echo message from ID: TEXT</c>,
/// <c>/echo disconnected ID via longPolling (stopCalled: true)</c>. Derived classes decide how to answer messages.
/// </summary>
internal abstract class ConsoleLoggingConnection : PersistentConnection
{
    /// <summary>Creates the connection; Tether creates one per event from dependency injection.</summary>
    /// <param name="sink">Where events are printed.</param>
    protected ConsoleLoggingConnection(ConsoleSink sink) => Sink = sink;

    /// <summary>The path the connection is mapped at, shown at the start of each line (e.g. <c>/echo</c>).</summary>
    protected abstract string Path { get; }

    /// <summary>Where events are printed.</summary>
    protected ConsoleSink Sink { get; }

    /// <inheritdoc />
    protected override Task OnConnected(IRequest request, string connectionId)
    {
        Sink.Event($"{Path} connected {connectionId} via {Transport(request)}");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task OnReconnected(IRequest request, string connectionId)
    {
        Sink.Event($"{Path} reconnected {connectionId} via {Transport(request)}");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task OnReceived(IRequest request, string connectionId, string? data)
    {
        Sink.Event($"{Path} message from {connectionId}: {DisplayText.OneLine(data)}");
        return Reply(connectionId, data);
    }

    /// <inheritdoc />
    protected override Task OnDisconnected(IRequest request, string connectionId, bool stopCalled)
    {
        string stop = stopCalled ? "true" : "false";
        Sink.Event($"{Path} disconnected {connectionId} via {Transport(request)} (stopCalled: {stop})");
        return Task.CompletedTask;
    }

    /// <summary>Answers a message.</summary>
    /// <param name="connectionId">The sending connection.</param>
    /// <param name="data">The data exactly as the client sent it.</param>
    /// <returns>A task that completes when the answer is published.</returns>
    protected abstract Task Reply(string connectionId, string? data);

    /// <summary>The transport named by the request (<c>webSockets</c>, <c>serverSentEvents</c>, <c>longPolling</c>).</summary>
    /// <param name="request">The request that raised the event.</param>
    /// <returns>The transport, made safe to print, or <c>(no transport)</c>.</returns>
    private static string Transport(IRequest request)
    {
        string? transport = request.QueryString["transport"];
        return string.IsNullOrEmpty(transport) ? "(no transport)" : DisplayText.OneLine(transport, 32);
    }
}
