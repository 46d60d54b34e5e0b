using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>Stream reads without a task per read (the memory overload of modern .NET).</summary>
internal static class StreamReads
{
    public static ValueTask<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer.AsMemory(), cancellationToken);

    /// <summary>
    /// A response body's stream. The contents of System.Net.Http itself (the handler's response content, stream, byte
    /// and string contents) hand it over synchronously, without a task; any other content is asked asynchronously.
    /// </summary>
    public static ValueTask<Stream> OpenAsync(HttpContent content, CancellationToken cancellationToken) =>
        content.GetType().Assembly == typeof(HttpContent).Assembly
            ? new ValueTask<Stream>(content.ReadAsStream(cancellationToken))
            : new ValueTask<Stream>(content.ReadAsStreamAsync(cancellationToken));
}
