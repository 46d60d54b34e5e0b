using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Tether.Protocol;

namespace Tether.Client.Internal.Transports;

/// <summary>
/// The Server-Sent Events transport: a streaming GET with <c>Accept: text/event-stream</c>. The first byte of a
/// response means the channel is open (Reconnecting becomes Connected); each <c>data:</c> line is one payload, and the
/// <c>initialized</c> preamble is skipped. When the stream ends it waits <c>ReconnectDelay</c> (2 s), then moves to
/// Reconnecting and opens <c>/reconnect</c> (docs/protocol.md#server-sent-events).
/// </summary>
/// <remarks>Better than classic: a reconnect whose first byte does not come within the transport connect timeout is retried.</remarks>
internal sealed class ServerSentEventsSession : TransportSession
{
    private static readonly MediaTypeWithQualityHeaderValue s_eventStream = new(ProtocolConstants.EventStreamContentType);

    private readonly TimeSpan _reconnectDelay;

    /// <summary>Cancels the request in flight; <see cref="LostConnection"/> uses it.</summary>
    private CancellationTokenSource? _requestCts;

    private int _lost;

    public ServerSentEventsSession(TransportContext context, TimeSpan reconnectDelay)
        : base(context)
    {
        _reconnectDelay = reconnectDelay;
    }

    public override string Name => TransportNames.ServerSentEvents;

    public override bool SupportsKeepAlive => true;

    public override ValueTask SendAsync(string data, CancellationToken cancellationToken) => HttpSend.SendAsync(Context, Output, Name, data, cancellationToken);

    public override void LostConnection()
    {
        TransportLog.LostConnection(Context.Logger, Name);
        Interlocked.Exchange(ref _lost, 1);
        CancelRequest();
    }

    public override Task StopAsync()
    {
        CloseCts.Cancel();
        CancelRequest();
        return base.StopAsync();
    }

    protected override async Task RunCoreAsync(CancellationToken closing, CancellationToken stoppingOrClosing)
    {
        bool reconnecting = false;
        while (true)
        {
            // For a reconnect the connection checks the reconnect window and moves to Reconnecting first.
            ReceiveTarget target = await Output.ReceiveUrlAsync(reconnecting ? ReceiveKind.Reconnect : ReceiveKind.Connect).ConfigureAwait(false);
            if (!target.Allowed || stoppingOrClosing.IsCancellationRequested)
            {
                return;
            }

            Exception? error = await ReceiveOnceAsync(target.Url!, reconnecting, closing).ConfigureAwait(false);
            bool lost = Interlocked.Exchange(ref _lost, 0) == 1;
            TransportLog.ReceiveEnded(Context.Logger, Name, error);
            if (!await Output.ChannelEndedAsync(error ?? new IOException(Resources.TransportDisconnectedBeforeConnectionFullyInitialized)).ConfigureAwait(false) ||
                stoppingOrClosing.IsCancellationRequested)
            {
                return;
            }

            if (error != null && !lost)
            {
                Output.Error(error);
            }

            // Checked before and after the delay: the machine may sleep meanwhile.
            if (!await Output.IsAllowedAsync(TransportQueryKind.WindowOpen).ConfigureAwait(false))
            {
                return;
            }

            try
            {
                await Clock.Delay(Context.TimeProvider, _reconnectDelay, stoppingOrClosing).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            reconnecting = true;
        }
    }

    private void CancelRequest()
    {
        try
        {
            Volatile.Read(ref _requestCts)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request ended meanwhile.
        }
    }

    /// <summary>One request: returns <see langword="null"/> when the server ended the stream, else what failed.</summary>
    private async Task<Exception?> ReceiveOnceAsync(string url, bool reconnecting, CancellationToken cancellationToken)
    {
        using var requestCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Volatile.Write(ref _requestCts, requestCts);
        CancellationTokenSource? firstByteTimeout = reconnecting ? Clock.CreateTimeoutSource(Context.TimeProvider, Context.ConnectTimeout) : null;
        CancellationTokenRegistration timeoutRegistration = firstByteTimeout?.Token.Register(static s => ((CancellationTokenSource)s!).Cancel(), requestCts) ?? default;
        try
        {
            TransportLog.Opening(Context.Logger, Name, url);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(s_eventStream);
            using HttpResponseMessage response = TransportContext.EnsureSuccess(await Context.StartHttpAsync(request, isLongRunning: true, requestCts.Token).ConfigureAwait(false));
            using CancellationTokenRegistration abortRegistration = requestCts.Token.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
            using Stream stream = await StreamReads.OpenAsync(response.Content, requestCts.Token).ConfigureAwait(false);
            var lines = new SseLineReader();
            byte[] buffer = new byte[4096];
            bool opened = false;
            while (true)
            {
                int read = await StreamReads.ReadAsync(stream, buffer, requestCts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }

                Context.MarkActivity();
                if (!opened)
                {
                    opened = true;
                    timeoutRegistration.Dispose();
                    if (reconnecting)
                    {
                        Output.Restored();
                    }
                }

                lines.Feed(buffer, read, Output);
            }
        }
        catch (Exception) when (firstByteTimeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            return new TimeoutException(Resources.TransportTimedOutTryingToConnect);
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            timeoutRegistration.Dispose();
            firstByteTimeout?.Dispose();
            Interlocked.CompareExchange(ref _requestCts, null, requestCts);
        }
    }

    /// <summary>
    /// Splits the stream into lines and hands over each <c>data:</c> line at once, as the classic client does: the
    /// server puts every payload on one line. Other lines (<c>id:</c>, blank separators) are ignored.
    /// </summary>
    private sealed class SseLineReader
    {
        private byte[] _line = new byte[4096];
        private int _length;

        public void Feed(byte[] buffer, int count, TransportOutput output)
        {
            for (int i = 0; i < count; i++)
            {
                byte b = buffer[i];
                if (b == (byte)'\n')
                {
                    Dispatch(output);
                    _length = 0;
                    continue;
                }

                if (_length == _line.Length)
                {
                    Array.Resize(ref _line, _line.Length * 2);
                }

                _line[_length++] = b;
            }
        }

        private void Dispatch(TransportOutput output)
        {
            ReadOnlySpan<byte> line = Trim(new ReadOnlySpan<byte>(_line, 0, _length));
            if (line.Length < 5 || !StartsWithData(line))
            {
                return;
            }

            ReadOnlySpan<byte> data = Trim(line.Slice(5));
            if (IsInitialized(data))
            {
                return;
            }

            output.Payload(data);
        }

        private static bool StartsWithData(ReadOnlySpan<byte> line) =>
            (line[0] | 0x20) == 'd' && (line[1] | 0x20) == 'a' && (line[2] | 0x20) == 't' && (line[3] | 0x20) == 'a' && line[4] == ':';

        private static bool IsInitialized(ReadOnlySpan<byte> data)
        {
            ReadOnlySpan<byte> initialized = "initialized"u8;
            if (data.Length != initialized.Length)
            {
                return false;
            }

            for (int i = 0; i < data.Length; i++)
            {
                if ((data[i] | 0x20) != initialized[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> span)
        {
            int start = 0;
            int end = span.Length;
            while (start < end && IsSpace(span[start]))
            {
                start++;
            }

            while (end > start && IsSpace(span[end - 1]))
            {
                end--;
            }

            return span.Slice(start, end - start);
        }

        private static bool IsSpace(byte b) => b == (byte)' ' || b == (byte)'\t' || b == (byte)'\r' || b == (byte)'\n';
    }
}
