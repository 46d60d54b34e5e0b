using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Tether.Client.Hubs;

/// <summary>The calls of one client method (one hub event) of a hub proxy; see <see cref="IHubProxy.Subscribe(string)"/>.</summary>
public class Subscription
{
    /// <summary>
    /// One call of the client method, with its arguments as sent (where the classic client gave Json.NET <c>JToken</c>s).
    /// Raised on the connection's dispatch loop, in order; a handler that throws is reported through
    /// <see cref="Connection.Error"/> and does not keep the other handlers from running.
    /// </summary>
    public event Action<IList<JsonElement>>? Received;

    /// <summary>Where failures of handlers go (the connection's Error); without it they propagate to the caller.</summary>
    internal Action<Exception>? ErrorSink { get; set; }

    /// <summary>Reports a handler failure that happened after the handler returned (an async handler).</summary>
    internal void ReportError(Exception error)
    {
        if (ErrorSink is { } sink)
        {
            sink(error);
        }
    }

    internal void OnReceived(IList<JsonElement> arguments)
    {
        if (Received is not { } received)
        {
            return;
        }

        foreach (Delegate handler in received.GetInvocationList())
        {
            try
            {
                ((Action<IList<JsonElement>>)handler)(arguments);
            }
            catch (Exception ex) when (ErrorSink is not null)
            {
                ErrorSink(ex);
            }
        }
    }
}
