using System.Collections.Concurrent;
using System.Text;
using Coffer.Core.Errors;
using Coffer.Server.Audit;
using Coffer.Server.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coffer.Server.Tests.Audit;

/// <summary>File rotation that keeps one chain, standard output, and SIEM forwarding that never holds a request up.</summary>
public sealed class AuditSinkTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-audit-sinks-").FullName;

    private string LogPath => Path.Combine(folder, "audit.log");

    private string PublicKey => File.ReadAllText(Path.Combine(folder, "audit-signing-key.pub.pem"));

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task FileSink_PastItsSize_RotatesAndTheChainRunsOnAcrossFilesAndRestarts()
    {
        await using (var log = Open(maxFileBytes: 4096))
        {
            await RecordManyAsync(log, 0, 60);
        }

        await using (var again = Open(maxFileBytes: 4096))
        {
            await RecordManyAsync(again, 60, 20);
        }

        var rotated = FileAuditSink.RotatedFiles(LogPath);
        var files = rotated.Append(LogPath).ToList();
        var result = AuditVerifier.Verify(files, PublicKey);

        Assert.True(rotated.Count >= 3, $"expected several rotated files, got {rotated.Count}");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 4096 + 1024, $"{f} is {new FileInfo(f).Length} bytes"));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.True(result.Intact, result.Problem);
        Assert.False(AuditVerifier.Verify(files.Skip(1).ToList(), PublicKey).Intact);
        Assert.False(AuditVerifier.Verify([rotated[0], .. rotated.Skip(2), LogPath], PublicKey).Intact);
    }

    [Fact]
    public async Task StdoutSink_GetsTheSameLinesAsTheFile()
    {
        using var stdout = new MemoryStream();
        await using (var log = Open(extra: [new StdoutAuditSink(stdout)]))
        {
            await RecordManyAsync(log, 0, 5);
        }

        Assert.Equal(await File.ReadAllTextAsync(LogPath), Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public async Task HttpSink_RetriesWithBackoffUntilTheSiemTakesEveryLine()
    {
        var received = new ConcurrentQueue<string>();
        var headers = new ConcurrentQueue<string>();
        var failuresLeft = 2;
        await using var siem = await LoopbackHttpServer.StartAsync(app => app.MapPost("/ingest", async (HttpContext context) =>
        {
            if (Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                return Results.StatusCode(503);
            }

            headers.Enqueue($"{context.Request.ContentType}|{context.Request.Headers.Authorization}");
            using var reader = new StreamReader(context.Request.Body);
            received.Enqueue(await reader.ReadToEndAsync());
            return Results.Ok();
        }));
        var http = new HttpAuditSink(siem.At("/ingest"), "siem-token", NullLogger.Instance, TimeProvider.System);
        await using (var log = Open(extra: [http]))
        {
            await RecordManyAsync(log, 0, 10);
            await Poll.UntilAsync(() => received.Sum(b => b.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length) >= 10, "the SIEM to receive every line");
        }

        var fileLines = (await File.ReadAllLinesAsync(LogPath)).Where(l => l.Length > 0).Take(10).ToList();
        var forwarded = string.Concat(received).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(10).ToList();
        Assert.Equal(fileLines, forwarded);
        Assert.All(headers, h => Assert.Equal("application/x-ndjson|Bearer siem-token", h));
    }

    [Fact]
    public async Task HttpSink_DeadSiem_NeverHoldsRequestsUp_AndAloneIsNotEnough()
    {
        // Nothing listens on port 9 of loopback: every post fails fast.
        var dead = new HttpAuditSink(new Uri("http://127.0.0.1:9/ingest"), null, NullLogger.Instance, TimeProvider.System, queueBatches: 2);
        SwitchableSink? file = null;
        await using var log = Open(extra: [dead], wrap: inner => file = new SwitchableSink(inner));

        await RecordManyAsync(log, 0, 20);
        file!.Dead = true;
        var refused = await Assert.ThrowsAsync<CofferException>(() => log.RecordAsync(Entry(log, 99), sync: false, CancellationToken.None));
        file.Dead = false;

        Assert.Equal("AuditUnavailable", refused.Reason);
    }

    private AuditLog Open(long maxFileBytes = 0, IReadOnlyList<IAuditSink>? extra = null, Func<IAuditSink, IAuditSink>? wrap = null) =>
        AuditLog.Open(LogPath, AuditSigner.LoadOrCreate(folder), TimeProvider.System, NullLogger.Instance, TimeSpan.Zero, wrap, maxFileBytes, extra);

    private static async Task RecordManyAsync(AuditLog log, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await log.RecordAsync(Entry(log, i), sync: i % 7 == 0, CancellationToken.None);
        }
    }

    private static AuditEntry Entry(AuditLog log, int i) =>
        log.Template(AuditEntry.RequestKind) with { Stage = "ResponseComplete", Status = 200, User = "root", Path = $"/v1/namespaces/default/secrets/s{i}" };
}
