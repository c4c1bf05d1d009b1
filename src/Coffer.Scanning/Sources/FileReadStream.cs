namespace Coffer.Scanning.Sources;

/// <summary>
/// A seekable file read with blocking calls, also when asked asynchronously, up to the size it had when it was found. Linux has no
/// asynchronous reads of regular files, so .NET sends each one to another pool thread; for files in the page cache that
/// hop cost a scan more than the read. Reading stops at the known size, which saves the read that would return nothing.
/// </summary>
internal sealed class FileReadStream(FileStream file, long length) : Stream
{
    private long position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => Math.Min(length, file.Length);

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (position >= length || buffer.IsEmpty)
        {
            return 0;
        }

        var read = RandomAccess.Read(file.SafeFileHandle, buffer[..(int)Math.Min(buffer.Length, length - position)], position);
        position += read;
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }
}
