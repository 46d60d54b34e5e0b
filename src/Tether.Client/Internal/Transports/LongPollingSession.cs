using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Tether.Protocol;

namespace Tether.Client.Internal.Transports;

/// <summary>
/// The long-polling transport: a loop of POSTs, <c>/connect</c> until a message id is known, then <c>/poll</c>, and
/// <c>/reconnect</c> while reconnecting; each carries the cursor and groups token in a form body, as the JavaScript
/// client does, to a URL fixed per connection token. After a failed poll it moves to Reconnecting at once, raises
/// <c>Error</c> (not for aborted requests or I/O errors), waits <c>ErrorDelay</c> (2 s) and polls again; Reconnected
/// comes with the first answer, or <c>ReconnectDelay</c> (5 s) after a reconnect poll was sent if it has not failed by
/// then (docs/protocol.md#long-polling).
/// </summary>
internal sealed class LongPollingSession : TransportSession
{
    /// <summary>The JavaScript client's content type for a receive's form (the classic server reads the form whatever it says).</summary>
    private static readonly MediaTypeHeaderValue s_formContentType = new("application/x-www-form-urlencoded") { CharSet = "UTF-8" };

    private readonly TimeSpan _reconnectDelay;
    private readonly TimeSpan _errorDelay;

    /// <summary>The read buffer and the body of the poll in flight, reused by every poll (one poll at a time).</summary>
    private readonly byte[] _buffer = new byte[4096];
    private readonly MemoryStream _body = new();

    public LongPollingSession(TransportContext context, TimeSpan reconnectDelay, TimeSpan errorDelay)
        : base(context)
    {
        _reconnectDelay = reconnectDelay;
        _errorDelay = errorDelay;
    }

    public override string Name => TransportNames.LongPolling;

    public override bool SupportsKeepAlive => false;

    public override ValueTask SendAsync(string data, CancellationToken cancellationToken) => HttpSend.SendAsync(Context, Output, Name, data, cancellationToken);

    public override void Dispose()
    {
        base.Dispose();
        _body.Dispose();
    }

    /// <summary>Long polling has no keep-alive monitoring, so the monitor never reports it lost.</summary>
    public override void LostConnection()
    {
    }

    protected override async Task RunCoreAsync(CancellationToken closing, CancellationToken stoppingOrClosing)
    {
        while (!stoppingOrClosing.IsCancellationRequested)
        {
            // The connection picks /connect (no message id yet), /reconnect (reconnecting) or /poll, after applying
            // everything reported before, so the body carries the latest cursor.
            ReceiveTarget target = await Output.ReceiveUrlAsync(ReceiveKind.Poll).ConfigureAwait(false);
            if (!target.Allowed)
            {
                return;
            }

            bool reconnecting = target.Kind == ReceiveKind.Reconnect;

            // 1 once this poll may no longer raise Reconnected (it already did, or it failed).
            var reconnectedGate = new StrongBox();
            using ITimer? reconnectedTimer = reconnecting
                ? Context.TimeProvider.CreateTimer(static s => ((Reconnector)s!).Fire(), new Reconnector(Output, reconnectedGate), _reconnectDelay, Timeout.InfiniteTimeSpan)
                : null;

            Exception? error = null;
            try
            {
                TransportLog.Opening(Context.Logger, Name, target.PostUri!.OriginalString);
                // Without a cursor or groups token, no content: the handler sends "Content-Length: 0".
                using var request = new HttpRequestMessage(HttpMethod.Post, target.PostUri);
                if (target.Form is { } form)
                {
                    request.Content = new ByteArrayContent(form);
                    request.Content.Headers.ContentType = s_formContentType;
                }

                using HttpResponseMessage response = TransportContext.EnsureSuccess(await Context.StartHttpAsync(request, isLongRunning: true, closing).ConfigureAwait(false));
                using CancellationTokenRegistration abort = closing.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
                await HttpSend.ReadBodyAsync(Context, response, _body, _buffer, closing).ConfigureAwait(false);
                TransportLog.Received(Context.Logger, Name, (int)_body.Length);

                // As the classic client: Reconnected comes before the messages of the poll that reconnected.
                if (reconnecting && Interlocked.Exchange(ref reconnectedGate.Value, 1) == 0)
                {
                    Output.Restored();
                }

                if (Output.Payload(new ReadOnlySpan<byte>(_body.GetBuffer(), 0, (int)_body.Length)))
                {
                    if (!await Output.ChannelEndedAsync(new IOException(Resources.TransportDisconnectedBeforeConnectionFullyInitialized)).ConfigureAwait(false))
                    {
                        return;
                    }

                    await Output.IsAllowedAsync(TransportQueryKind.EnterReconnecting).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (error is null)
            {
                continue;
            }

            Interlocked.Exchange(ref reconnectedGate.Value, 1);
            TransportLog.ReceiveEnded(Context.Logger, Name, error);
            if (!await Output.ChannelEndedAsync(error).ConfigureAwait(false) ||
                stoppingOrClosing.IsCancellationRequested ||
                !await Output.IsAllowedAsync(TransportQueryKind.WindowOpen).ConfigureAwait(false))
            {
                return;
            }

            await Output.IsAllowedAsync(TransportQueryKind.EnterReconnecting).ConfigureAwait(false);
            if (error is not IOException && error is not OperationCanceledException)
            {
                Output.Error(error);
            }

            try
            {
                await Clock.Delay(Context.TimeProvider, _errorDelay, stoppingOrClosing).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed class StrongBox
    {
        public int Value;
    }

    /// <summary>Raises Reconnected for one reconnect poll that has neither answered nor failed after <c>ReconnectDelay</c>.</summary>
    private sealed class Reconnector(TransportOutput output, StrongBox gate)
    {
        public void Fire()
        {
            if (Interlocked.Exchange(ref gate.Value, 1) == 0)
            {
                output.Restored();
            }
        }
    }
}
