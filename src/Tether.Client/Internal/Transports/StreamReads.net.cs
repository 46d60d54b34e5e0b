using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Tether.Client.Internal.Transports;

/// <summary>Stream reads without a task per read (the memory overload of modern .NET).</summary>
internal static class StreamReads
{
    public static ValueTask<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer.AsMemory(), cancellationToken);
}
