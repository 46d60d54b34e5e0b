using Microsoft.AspNetCore.Http;

namespace Tether.Server.Internal.Transports;

/// <summary>
/// One server transport, in the manner of ASP.NET Core's <c>IHttpTransport</c>: it says which operations are receive
/// requests for it and serves them whole, owning its loops (the receive loop, a WebSocket's input loop, keep-alives).
/// The dispatcher picks a transport from <see cref="ServerTransports"/> and never branches on which one it is.
/// </summary>
internal interface IServerTransport
{
    /// <summary>The transport's name in the <c>transport</c> query parameter.</summary>
    string Name { get; }

    /// <summary>The option flag that enables it.</summary>
    PersistentConnectionTransports Flag { get; }

    /// <summary>
    /// Whether the transport takes JSONP (<c>callback</c>) and, with it, a <c>/send</c>'s data from the query and a
    /// receive request's cursor and groups token from a form body, as the JavaScript client's long polls send them.
    /// </summary>
    bool TakesJsonpAndFormFields { get; }

    /// <summary>
    /// Whether the client keeps sending its tokens over HTTP for the connection's life (polls, <c>/send</c>), so that
    /// remembering what they unprotect to pays; a WebSocket client sends nothing more over HTTP after <c>/start</c>.
    /// </summary>
    bool ResendsTokens => true;

    /// <summary>What a request of <paramref name="operation"/> receives, or <see langword="null"/> when it is a plain <c>/send</c>.</summary>
    ReceiveKind? KindOf(RequestOperation operation);

    /// <summary>Why this HTTP request cannot be served by the transport (e.g. not a WebSocket upgrade), or <see langword="null"/>.</summary>
    string? Refusal(HttpContext context);

    /// <summary>Serves one receive request until it ends.</summary>
    Task ServeAsync(ReceiveContext receive);

    /// <summary>Adjusts the response to <c>/start</c> before it is written; by default it is left as it is.</summary>
    /// <param name="response">The response.</param>
    void PrepareStartResponse(HttpResponse response)
    {
    }
}
