using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using Tether.Protocol;

namespace Tether.Client.Internal.Transports;

/// <summary>The kinds of receive request.</summary>
internal enum ReceiveKind
{
    Connect,
    Reconnect,
    Poll,
}

/// <summary>What one <see cref="TransportReport"/> says.</summary>
internal enum TransportReportKind
{
    /// <summary>A payload that is not a keep-alive: <see cref="TransportReport.Response"/>.</summary>
    Payload,

    /// <summary>A non-empty answer to <c>/send</c> (a hub result): <see cref="TransportReport.Text"/>, delivered whole as one message.</summary>
    SendAnswer,

    /// <summary>An error for the connection's <c>Error</c> event; it does not stop anything.</summary>
    Error,

    /// <summary>The receive channel is open again after a reconnect.</summary>
    Restored,

    /// <summary>The transport asks a question and waits for the answer: <see cref="TransportReport.Query"/>.</summary>
    Query,
}

/// <summary>
/// One item a transport session hands to its connection, in the order it happened: what it received and what it
/// needs decided. The connection reads them in one loop and is the only one to change its state.
/// </summary>
internal readonly struct TransportReport
{
    private TransportReport(TransportReportKind kind, PersistentResponse? response, string? text, Exception? error, TransportQuery? query)
    {
        Kind = kind;
        Response = response;
        Text = text;
        Error = error;
        Query = query;
    }

    public TransportReportKind Kind { get; }

    public PersistentResponse? Response { get; }

    /// <summary>The payload's text when the connection needs it (a hub result, or message tracing), or the <c>/send</c> answer.</summary>
    public string? Text { get; }

    public Exception? Error { get; }

    public TransportQuery? Query { get; }

    public static TransportReport Payload(PersistentResponse response, string? text) => new(TransportReportKind.Payload, response, text, null, null);

    public static TransportReport SendAnswer(string body) => new(TransportReportKind.SendAnswer, null, body, null, null);

    public static TransportReport Failure(Exception error) => new(TransportReportKind.Error, null, null, error, null);

    public static TransportReport Restored() => new(TransportReportKind.Restored, null, null, null, null);

    public static TransportReport Ask(TransportQuery query) => new(TransportReportKind.Query, null, null, null, query);
}

/// <summary>The questions a transport asks its connection; the answer comes after every report before it was applied.</summary>
internal enum TransportQueryKind
{
    /// <summary>The receive channel failed or ended (<see cref="TransportQuery.Reason"/>): may the transport go on? No while the start is unfinished (it fails) or once stopping.</summary>
    ChannelEnded,

    /// <summary>Is the reconnect window still open? When it is not, the connection stops.</summary>
    WindowOpen,

    /// <summary>Move from Connected to Reconnecting; yes when the connection is reconnecting now.</summary>
    EnterReconnecting,

    /// <summary>The URL of the next receive request of <see cref="TransportQuery.Receive"/>'s kind (for <see cref="ReceiveKind.Reconnect"/>, after the checks of <see cref="WindowOpen"/> and <see cref="EnterReconnecting"/>; for <see cref="ReceiveKind.Poll"/>, the kind the connection's state calls for).</summary>
    ReceiveUrl,
}

/// <summary>
/// One question of a transport, answered once by the connection's report loop. The same instance may ask again
/// (<see cref="Reset"/>) once its previous answer was read: a session asks for each receive URL this way, without a
/// new task per poll. The answer's continuation never runs inline in the report loop.
/// </summary>
internal sealed class TransportQuery : IValueTaskSource<ReceiveTarget>
{
    private ManualResetValueTaskSourceCore<ReceiveTarget> _answer = new() { RunContinuationsAsynchronously = true };
    private int _replied;

    public TransportQuery(TransportQueryKind kind, ReceiveKind receive = ReceiveKind.Connect, Exception? reason = null)
    {
        Kind = kind;
        Receive = receive;
        Reason = reason;
    }

    public TransportQueryKind Kind { get; private set; }

    public ReceiveKind Receive { get; private set; }

    public Exception? Reason { get; private set; }

    /// <summary>The answer; read it once.</summary>
    public ValueTask<ReceiveTarget> Answer => new(this, _answer.Version);

    /// <summary>Makes this a new question; only after the previous answer was read.</summary>
    public void Reset(TransportQueryKind kind, ReceiveKind receive)
    {
        _answer.Reset();
        Volatile.Write(ref _replied, 0);
        Kind = kind;
        Receive = receive;
        Reason = null;
    }

    /// <summary>Answers; any later reply to the same question is ignored.</summary>
    public void Reply(ReceiveTarget answer)
    {
        if (Interlocked.Exchange(ref _replied, 1) == 0)
        {
            _answer.SetResult(answer);
        }
    }

    ReceiveTarget IValueTaskSource<ReceiveTarget>.GetResult(short token) => _answer.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReceiveTarget>.GetStatus(short token) => _answer.GetStatus(token);

    void IValueTaskSource<ReceiveTarget>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _answer.OnCompleted(continuation, state, token, flags);
}

/// <summary>The answer to a <see cref="TransportQuery"/>: whether to go on and, for a receive, where.</summary>
internal readonly struct ReceiveTarget
{
    public static readonly ReceiveTarget No;

    public static readonly ReceiveTarget Yes = new(true, null, ReceiveKind.Connect);

    public ReceiveTarget(bool allowed, string? url, ReceiveKind kind)
    {
        Allowed = allowed;
        Url = url;
        Kind = kind;
    }

    /// <summary>A long-polling receive: a fixed URL, the cursor and groups token in a form body.</summary>
    public ReceiveTarget(Uri postUri, byte[]? form, ReceiveKind kind)
    {
        Allowed = true;
        PostUri = postUri;
        Form = form;
        Kind = kind;
    }

    public bool Allowed { get; }

    /// <summary>The URL of a receive whose cursor travels in the query (WebSockets, Server-Sent Events).</summary>
    public string? Url { get; }

    /// <summary>The URL of a long-polling receive, fixed per connection token.</summary>
    public Uri? PostUri { get; }

    /// <summary>The form body of a long-polling receive (<c>messageId=…&amp;groupsToken=…</c>), <see langword="null"/> when it has neither.</summary>
    public byte[]? Form { get; }

    public ReceiveKind Kind { get; }
}

/// <summary>How a transport session ended.</summary>
internal enum TransportEndKind
{
    /// <summary>Its loop finished: the server ended the channel for good, the start failed, or it gave up reconnecting.</summary>
    Closed,

    /// <summary>Stopped or torn down by the connection.</summary>
    Cancelled,

    /// <summary>Its loop failed unexpectedly (<see cref="TransportEnd.Error"/>).</summary>
    Failed,
}

/// <summary>How a transport session ended, and why.</summary>
internal sealed class TransportEnd
{
    public TransportEnd(TransportEndKind kind, Exception? error = null)
    {
        Kind = kind;
        Error = error;
    }

    public TransportEndKind Kind { get; }

    public Exception? Error { get; }
}
