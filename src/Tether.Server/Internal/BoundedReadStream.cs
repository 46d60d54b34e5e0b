namespace Tether.Server.Internal;

/// <summary>
/// A read-only view of a request body that fails with <see cref="InvalidDataException"/> as soon as more than
/// <c>limit</c> bytes have arrived, whatever the framing (Content-Length or chunked): nothing past the limit is read.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, Clamp(count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Clamp(buffer.Length)], cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Asks for at most one byte past the limit: enough to know the body is too large.</summary>
    private int Clamp(int count) => (int)Math.Min(count, Math.Max(1, limit + 1 - _read));

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            throw new InvalidDataException($"The request body is larger than {limit} bytes.");
        }

        return read;
    }
}
