using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>Stream reads with the array overload, the only one of netstandard2.0.</summary>
internal static class StreamReads
{
    public static Task<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer, 0, buffer.Length, cancellationToken);

    /// <summary>A response body's stream.</summary>
    /// <remarks>netstandard2.0 has no overload with a token: the caller's read is what the token cancels.</remarks>
    public static ValueTask<Stream> OpenAsync(HttpContent content, CancellationToken cancellationToken) =>
        new(content.ReadAsStreamAsync());
}
