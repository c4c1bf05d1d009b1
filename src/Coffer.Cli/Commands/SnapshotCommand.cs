using System.CommandLine;
using Coffer.Storage.Snapshots;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer operator snapshot save|restore</c> and <c>coffer operator migrate-storage</c>: the whole store, straight from
/// the database (SQLite file or PostgreSQL), so they work with the server running or stopped and need no token.
/// </summary>
internal static class SnapshotCommand
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static Command Snapshot(CommandRunner runner, GlobalOptions globals)
    {
        var command = new Command("snapshot", "Save the whole store to a file, or restore one into an empty store");
        var file = new Argument<string>("FILE") { Description = "The snapshot file" };
        var storage = StorageOption("--storage", "The store: sqlite:PATH (its coffer.db) or postgres:CONNECTION-STRING");
        var auditDir = new Option<string?>("--audit-dir") { Description = "Also carry the newest signed audit checkpoint from this audit folder, to verify copied audit logs against later" };
        var save = new Command("save", "Write a consistent, checksummed snapshot of everything (values stay encrypted under the root key); mode 0600") { file, storage, auditDir };
        runner.SetAction(save, globals, async (context, cancellationToken) =>
        {
            var path = Path.GetFullPath(context.Value(file)!);
            if (File.Exists(path))
            {
                throw new CliException(CliExitCode.Conflict, $"{path} exists; snapshots are never overwritten");
            }

            var location = Location(context.Value(storage)!);
            var attachments = context.Value(auditDir) is { } audit
                ? new Dictionary<string, byte[]> { [AuditCheckpointAttachment] = await NewestCheckpointAsync(audit, cancellationToken).ConfigureAwait(false) }
                : null;

            // Written beside its final name and renamed only when complete, so a failed save leaves no partial snapshot.
            var partial = path + ".partial";
            var created = false;
            var moved = false;
            try
            {
                SnapshotSummary summary;
                await using (var output = new FileStream(partial, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
                {
                    created = true;
                    summary = await StorageSnapshot.ExportAsync(location, output, attachments, cancellationToken).ConfigureAwait(false);
                    output.Flush(flushToDisk: true);
                }

                File.Move(partial, path);
                moved = true;
                await context.Output.WriteLineAsync($"snapshot saved to {path}: {Describe(summary)}").ConfigureAwait(false);
                return CliExitCode.Ok;
            }
            catch (SnapshotException e)
            {
                throw new CliException(CliExitCode.Error, e.Message);
            }
            finally
            {
                // Only our own partial file: another save may be writing one of the same name.
                if (created && !moved)
                {
                    File.Delete(partial);
                }
            }
        });

        var target = StorageOption("--storage", "The empty store to restore into: sqlite:PATH (created if absent) or postgres:CONNECTION-STRING");
        var checkpointOut = new Option<string?>("--audit-checkpoint-out") { Description = "Where to write the audit checkpoint the snapshot carries (default: FILE.audit-checkpoint.json)" };
        var restore = new Command("restore", "Load a snapshot into an empty store; a corrupted or foreign file changes nothing") { file, target, checkpointOut };
        runner.SetAction(restore, globals, async (context, cancellationToken) =>
        {
            var path = context.Value(file)!;
            if (!File.Exists(path))
            {
                throw new CliException(CliExitCode.NotFound, $"no snapshot at {path}");
            }

            await using var input = File.OpenRead(path);
            try
            {
                var summary = await StorageSnapshot.ImportAsync(Location(context.Value(target)!), input, cancellationToken).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"restored {Describe(summary)}; start the server on it and unseal with the original installation's unseal keys").ConfigureAwait(false);
                if (summary.Attachments?.GetValueOrDefault(AuditCheckpointAttachment) is { } checkpoint)
                {
                    var checkpointPath = context.Value(checkpointOut) ?? path + ".audit-checkpoint.json";
                    await File.WriteAllBytesAsync(checkpointPath, checkpoint, cancellationToken).ConfigureAwait(false);
                    await context.Output.WriteLineAsync($"audit checkpoint written to {checkpointPath}: check copied audit logs with coffer audit verify FILE... --key PUB --checkpoint {checkpointPath}").ConfigureAwait(false);
                }
                return CliExitCode.Ok;
            }
            catch (SnapshotException e)
            {
                throw new CliException(CliExitCode.Invalid, e.Message);
            }
        });

        command.Subcommands.Add(save);
        command.Subcommands.Add(restore);
        return command;
    }

    public static Command MigrateStorage(CommandRunner runner, GlobalOptions globals)
    {
        var from = StorageOption("--from", "The store to copy: sqlite:PATH or postgres:CONNECTION-STRING");
        var to = StorageOption("--to", "The empty store to copy into");
        var command = new Command("migrate-storage", "Move a whole installation between backends, then check every table's count and checksum") { from, to };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            try
            {
                var summary = await StorageSnapshot.MigrateAsync(Location(context.Value(from)!), Location(context.Value(to)!), cancellationToken).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"copied and verified {Describe(summary)}").ConfigureAwait(false);
                return CliExitCode.Ok;
            }
            catch (SnapshotException e)
            {
                throw new CliException(CliExitCode.Error, e.Message);
            }
        });
        return command;
    }

    private const string AuditCheckpointAttachment = "audit-checkpoint.json";

    /// <summary>The newest signed checkpoint in an audit folder (the current file first, then rotated ones, newest first).</summary>
    private static async Task<byte[]> NewestCheckpointAsync(string folder, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new CliException(CliExitCode.NotFound, $"no audit folder at {folder}");
        }

        var files = new[] { Path.Combine(folder, "audit.log") }.Concat(Directory.GetFiles(folder, "audit-*.log").OrderDescending(StringComparer.Ordinal)).Where(File.Exists);
        foreach (var path in files)
        {
            string? newest = null;
            await foreach (var line in File.ReadLinesAsync(path, cancellationToken).ConfigureAwait(false))
            {
                if (line.Contains("\"checkpoint\"", StringComparison.Ordinal)
                    && System.Text.Json.Nodes.JsonNode.Parse(line)?["entry"] is System.Text.Json.Nodes.JsonObject entry
                    && (string?)entry["kind"] == "checkpoint")
                {
                    newest = entry.ToJsonString();
                }
            }

            if (newest is not null)
            {
                return System.Text.Encoding.UTF8.GetBytes(newest);
            }
        }

        throw new CliException(CliExitCode.NotFound, $"no signed checkpoint in the audit logs of {folder}");
    }

    private static Option<string> StorageOption(string name, string description) => new(name) { Description = description, Required = true };

    private static StorageLocation Location(string text)
    {
        try
        {
            return StorageLocation.Parse(text);
        }
        catch (SnapshotException e)
        {
            throw new CliException(CliExitCode.Usage, e.Message);
        }
    }

    private static string Describe(SnapshotSummary summary) =>
        $"{summary.Rows("secrets")} secrets, {summary.Rows("secret_versions")} versions, {summary.Rows("tokens")} tokens, {summary.Tables.Sum(t => t.Rows)} rows in {summary.Tables.Count} tables";
}
