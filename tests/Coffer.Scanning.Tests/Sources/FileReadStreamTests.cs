using System.Text;
using Coffer.Scanning.Sources;

namespace Coffer.Scanning.Tests.Sources;

public sealed class FileReadStreamTests : IDisposable
{
    private readonly string path = Path.Combine(Directory.CreateTempSubdirectory("coffer-read-").FullName, "file.txt");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);

    private static async Task<string> ReadAllAsync(Stream stream, int chunk)
    {
        var buffer = new byte[chunk];
        using var all = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(all.ToArray());
    }

    [Fact]
    public async Task ReadAsync_SmallChunks_WholeFileInOrder()
    {
        File.WriteAllText(path, "0123456789abcdef");
        await using var stream = new FileReadStream(File.OpenRead(path), 16);

        Assert.Equal("0123456789abcdef", await ReadAllAsync(stream, 5));
    }

    [Fact]
    public async Task ReadAsync_FileGrewAfterItWasFound_EndsAtTheLengthFound()
    {
        File.WriteAllText(path, "found");
        var length = new FileInfo(path).Length;
        File.AppendAllText(path, " and appended later");
        await using var stream = new FileReadStream(File.OpenRead(path), length);

        Assert.Equal("found", await ReadAllAsync(stream, 64));
    }

    [Fact]
    public async Task ReadAsync_FileShrankAfterItWasFound_EndsAtItsEnd()
    {
        File.WriteAllText(path, "a longer text");
        var length = new FileInfo(path).Length;
        File.WriteAllText(path, "short");
        await using var stream = new FileReadStream(File.OpenRead(path), length);

        Assert.Equal("short", await ReadAllAsync(stream, 64));
    }

    [Fact]
    public async Task ReadAsync_AnyRead_CompletesBeforeReturning()
    {
        File.WriteAllText(path, "data");
        await using var stream = new FileReadStream(File.OpenRead(path), 4);

        var read = stream.ReadAsync(new byte[8]);

        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal(4, await read);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Throws()
    {
        File.WriteAllText(path, "data");
        await using var stream = new FileReadStream(File.OpenRead(path), 4);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await stream.ReadAsync(new byte[8], new CancellationToken(canceled: true)));
    }
}
