using System;
using System.Threading.Channels;
using System.Threading.Tasks;
using Tether.Protocol;

namespace Tether.Client.Internal.Transports;

/// <summary>
/// The way out of a transport session: every report goes into one channel, in order, which the connection reads.
/// Payloads are parsed here, on the transport's thread, so the connection gets them ready to apply.
/// </summary>
internal sealed class TransportOutput
{
    // Synchronous continuations: when the connection's loop waits, a report is applied on the transport's thread at
    // once (applying never blocks), instead of one more hop through the thread pool per message.
    private readonly Channel<TransportReport> _channel = Channel.CreateUnbounded<TransportReport>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = true });

    private readonly bool _keepText;

    /// <summary>The one question for receive URLs, asked again for every receive request (the session's loop asks one at a time).</summary>
    private readonly TransportQuery _receiveQuery = new(TransportQueryKind.ReceiveUrl);

    /// <param name="keepText">Whether payloads keep their text (message tracing is on).</param>
    public TransportOutput(bool keepText)
    {
        _keepText = keepText;
    }

    public ChannelReader<TransportReport> Reader => _channel.Reader;

    /// <summary>Hands over one payload; returns whether the server asked the client to reconnect (<c>T</c>).</summary>
    public bool Payload(ReadOnlySpan<byte> utf8Json)
    {
        PersistentResponse response;
        try
        {
            response = PersistentResponse.Parse(utf8Json);
        }
        catch (FormatException ex)
        {
            Error(ex);
            return false;
        }

        if (response.IsKeepAlive)
        {
            return false;
        }

        string? text = _keepText || response.IsHubResult ? System.Text.Encoding.UTF8.GetString(utf8Json.ToArray()) : null;
        _channel.Writer.TryWrite(TransportReport.Payload(response, text));
        return response.ShouldReconnect;
    }

    public void SendAnswer(string body) => _channel.Writer.TryWrite(TransportReport.SendAnswer(body));

    public void Error(Exception error) => _channel.Writer.TryWrite(TransportReport.Failure(error));

    public void Restored() => _channel.Writer.TryWrite(TransportReport.Restored());

    /// <summary>Asks the connection; once the session has ended the answer is no.</summary>
    public ValueTask<ReceiveTarget> AskAsync(TransportQueryKind kind, ReceiveKind receive = ReceiveKind.Connect, Exception? reason = null) =>
        Ask(new TransportQuery(kind, receive, reason));

    /// <summary>See <see cref="TransportQueryKind.ChannelEnded"/>.</summary>
    public async Task<bool> ChannelEndedAsync(Exception reason) =>
        (await AskAsync(TransportQueryKind.ChannelEnded, reason: reason).ConfigureAwait(false)).Allowed;

    public async Task<bool> IsAllowedAsync(TransportQueryKind kind) => (await AskAsync(kind).ConfigureAwait(false)).Allowed;

    /// <summary>Asks for the URL of the next receive request; call it again only once the previous answer was read.</summary>
    public ValueTask<ReceiveTarget> ReceiveUrlAsync(ReceiveKind kind)
    {
        _receiveQuery.Reset(TransportQueryKind.ReceiveUrl, kind);
        return Ask(_receiveQuery);
    }

    public void Complete() => _channel.Writer.TryComplete();

    private ValueTask<ReceiveTarget> Ask(TransportQuery query) =>
        _channel.Writer.TryWrite(TransportReport.Ask(query)) ? query.Answer : new ValueTask<ReceiveTarget>(ReceiveTarget.No);
}
