namespace Tether.Server.Internal.Transports;

/// <summary>
/// Set on a WebSocket request's features: writes a frame of its own to that socket, between the receive loop's frames
/// (a hub invocation's result, which is not a persistent response).
/// </summary>
internal interface IDirectReplyFeature
{
    /// <summary>Writes <paramref name="json"/> as one text frame.</summary>
    ValueTask ReplyAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken);
}
