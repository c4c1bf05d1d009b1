namespace Coffer.Server.Audit;

/// <summary>JSON lines appended to a mode-0600 file: handed to the OS before a write completes, and on disk when asked.</summary>
internal sealed class FileAuditSink(string path) : IAuditSink, IDisposable
{
    private FileStream? stream;

    public string Name => $"file:{path}";

    public string Path => path;

    public async Task WriteAsync(IReadOnlyList<byte[]> lines, bool flushToDisk, CancellationToken cancellationToken)
    {
        try
        {
            stream ??= Open();
            foreach (var line in lines)
            {
                await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            }

            stream.Flush(flushToDisk);
        }
        catch
        {
            // A broken handle (disk gone, file removed) is reopened on the next write, which may then succeed.
            stream?.Dispose();
            stream = null;
            throw;
        }
    }

    public void Dispose() => stream?.Dispose();

    private FileStream Open()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }
}
