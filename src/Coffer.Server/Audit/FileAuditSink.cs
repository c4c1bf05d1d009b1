using Microsoft.Win32.SafeHandles;

namespace Coffer.Server.Audit;

/// <summary>JSON lines appended to a mode-0600 file. One writer appends; flushing to disk may run alongside it.</summary>
internal sealed class FileAuditSink(string path) : IAuditSink, IDisposable
{
    private readonly Lock handleLock = new();
    private FileStream? stream;
    private SafeFileHandle? handle;
    private long length;

    public string Name => $"file:{path}";

    public string Path => path;

    public void Write(ReadOnlySpan<byte> lines)
    {
        var file = Handle();
        try
        {
            RandomAccess.Write(file, lines, length);
            length += lines.Length;
        }
        catch
        {
            // A broken handle (disk gone, file removed) is reopened on the next write, which may then succeed.
            Reset(file);
            throw;
        }
    }

    public void FlushToDisk()
    {
        var file = Handle();
        try
        {
            RandomAccess.FlushToDisk(file);
        }
        catch
        {
            Reset(file);
            throw;
        }
    }

    public void Dispose() => Reset(null);

    private SafeFileHandle Handle()
    {
        lock (handleLock)
        {
            if (handle is null)
            {
                var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
                if (!Directory.Exists(directory))
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }

                // The stream only opens the file with its mode; writes go through the handle at offsets this sink tracks.
                stream = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.Append,
                    Access = FileAccess.Write,
                    Share = FileShare.Read,
                    BufferSize = 0,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                handle = stream.SafeFileHandle;
                length = RandomAccess.GetLength(handle);
            }

            return handle;
        }
    }

    private void Reset(SafeFileHandle? failed)
    {
        lock (handleLock)
        {
            if (failed is null || ReferenceEquals(handle, failed))
            {
                stream?.Dispose();
                stream = null;
                handle = null;
            }
        }
    }
}
