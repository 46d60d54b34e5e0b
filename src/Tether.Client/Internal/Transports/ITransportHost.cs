using System;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Tether.Client.Internal.Transports;

/// <summary>The kinds of receive request.</summary>
internal enum ReceiveKind
{
    Connect,
    Reconnect,
    Poll,
}

/// <summary>
/// What a transport may ask of, and report to, the connection that runs it. One host per transport attempt: after
/// the attempt is abandoned or the connection closes, its reports are ignored.
/// </summary>
internal interface ITransportHost
{
    ILogger Logger { get; }

    TimeProvider TimeProvider { get; }

    /// <summary>Cancelled when <c>Stop</c> begins: finish the current receive (the server ends it after <c>/abort</c>) and never reconnect.</summary>
    CancellationToken StopToken { get; }

    /// <summary>Cancelled when the connection is torn down: abandon everything at once.</summary>
    CancellationToken DisconnectToken { get; }

    /// <summary>The server's transport connect timeout plus the client's: the bound on opening a receive channel.</summary>
    TimeSpan ConnectTimeout { get; }

    /// <summary>Whether the connection is reconnecting right now.</summary>
    bool IsReconnecting { get; }

    /// <summary>Whether a message id (cursor) is known yet; long polling uses <c>/connect</c> until it is.</summary>
    bool HasMessageId { get; }

    /// <summary>The URL of a receive request, with the current message id and groups token.</summary>
    string ReceiveUrl(ReceiveKind kind);

    /// <summary>The URL of <c>/send</c>.</summary>
    string SendUrl();

    /// <summary>Sends an HTTP request with the connection's headers, credentials and tokens; a non-success status throws <see cref="HttpClientException"/>.</summary>
    Task<HttpResponseMessage> SendHttpAsync(HttpRequestMessage request, bool isLongRunning, CancellationToken cancellationToken);

    /// <summary>Applies the connection's headers, cookies, credentials, proxy, certificates and validation callback to a WebSocket.</summary>
    Task ConfigureWebSocketAsync(ClientWebSocketOptions options, CancellationToken cancellationToken);

    /// <summary>Bytes arrived from the server: a message, a keep-alive or a long-polling keep-alive space.</summary>
    void MarkLastMessage();

    /// <summary>Hands over one payload; returns whether the server asked the client to reconnect (<c>T</c>).</summary>
    bool OnPayload(ReadOnlySpan<byte> utf8Json);

    /// <summary>A non-empty answer to <c>/send</c> (hub results): delivered whole as one message.</summary>
    void OnSendResponse(string body);

    /// <summary>Reports an error through the connection's <c>Error</c> event; it does not stop anything.</summary>
    void OnError(Exception error);

    /// <summary>
    /// The receive channel failed or ended. While the start is not finished this fails it and returns
    /// <see langword="true"/> (then the transport must not reconnect); once failed, it keeps returning <see langword="true"/>.
    /// </summary>
    bool TryFailStart(Exception error);

    /// <summary>Asks the connection to move from Connected to Reconnecting; returns whether it is reconnecting now.</summary>
    bool EnsureReconnecting();

    /// <summary>The receive channel is open again: Reconnecting to Connected (no-op in any other state).</summary>
    void OnReconnected();

    /// <summary>Checks the reconnect window; when it was exceeded the connection stops and this returns <see langword="false"/>.</summary>
    bool VerifyLastActive();
}
