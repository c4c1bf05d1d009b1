using System.Buffers;
using System.Data;
using System.Data.Common;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Storage.Postgres;
using Coffer.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coffer.Storage.Snapshots;

/// <summary>
/// A whole installation's store as one file, and the same stream between two stores: every table, row by row, as
/// stored. Secret values stay sealed under their data keys, data keys under the key ring, the key ring under the root
/// key, and tokens stay hashes, so a snapshot opens only with the installation's unseal shares. Rows are written in
/// a canonical form (sorted columns, numbers for integers and flags, base64 for bytes), so the same data gives the
/// same per-table SHA-256 on SQLite and PostgreSQL; the file ends with a SHA-256 of everything before it.
/// </summary>
public static class StorageSnapshot
{
    public const string Format = "coffer-snapshot";
    public const int Version = 1;

    /// <summary>Every table, parents before children, with its key for a deterministic order ({C}: byte-wise text order).</summary>
    private static readonly (string Name, string OrderBy)[] Tables =
    [
        ("installation", "id"),
        ("key_ring", "generation"),
        ("namespaces", "name{C}"),
        ("secrets", "namespace{C}, name{C}"),
        ("secret_versions", "namespace{C}, name{C}, version"),
        ("tokens", "hash"),
        ("access_objects", "kind{C}, namespace{C}, name{C}"),
        ("known_users", "name{C}"),
        ("login_roles", "name{C}"),
        ("secret_rotations", "namespace{C}, name{C}"),
        ("rotation_objects", "kind{C}, namespace{C}, name{C}"),
        ("leases", "id{C}"),
        ("secret_changes", "revision"),
    ];

    /// <summary>Writes a consistent snapshot of <paramref name="from"/> (one read transaction) to <paramref name="output"/>.</summary>
    public static Task<SnapshotSummary> ExportAsync(StorageLocation from, Stream output, CancellationToken cancellationToken) =>
        ExportAsync(from, output, null, cancellationToken);

    /// <summary>As <see cref="ExportAsync(StorageLocation, Stream, CancellationToken)"/>, carrying <paramref name="attachments"/> under the same checksum.</summary>
    public static async Task<SnapshotSummary> ExportAsync(StorageLocation from, Stream output, IReadOnlyDictionary<string, byte[]>? attachments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        await using var connection = await OpenAsync(from, cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(from.IsPostgres ? IsolationLevel.RepeatableRead : IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
        if (from.IsPostgres)
        {
            await ExecuteAsync(connection, transaction, "SET TRANSACTION READ ONLY;", cancellationToken).ConfigureAwait(false);
        }

        if (await CountAsync(connection, transaction, "installation", cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new SnapshotException($"{from} holds no initialised Coffer installation");
        }

        using var file = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var tables = new List<SnapshotTable>();
        await WriteLineAsync(output, file, Json(w =>
        {
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
        }), cancellationToken).ConfigureAwait(false);
        foreach (var (name, orderBy) in Tables)
        {
            var columns = (await ColumnsAsync(connection, transaction, from.IsPostgres, name, cancellationToken).ConfigureAwait(false)).Keys.Order(StringComparer.Ordinal).ToList();
            await WriteLineAsync(output, file, Json(w =>
            {
                w.WriteString("table", name);
                w.WriteStartArray("columns");
                columns.ForEach(w.WriteStringValue);
                w.WriteEndArray();
            }), cancellationToken).ConfigureAwait(false);
            using var table = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long rows = 0;
            await using (var select = Command(connection, transaction, $"SELECT {string.Join(", ", columns)} FROM {name} ORDER BY {orderBy.Replace("{C}", from.IsPostgres ? " COLLATE \"C\"" : string.Empty, StringComparison.Ordinal)};"))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var line = Json(w => WriteRow(w, reader), array: true);
                    table.AppendData(line);
                    await WriteLineAsync(output, file, line, cancellationToken).ConfigureAwait(false);
                    rows++;
                }
            }

            var digest = Convert.ToHexStringLower(table.GetHashAndReset());
            tables.Add(new SnapshotTable(name, rows, digest));
            await WriteLineAsync(output, file, Json(w =>
            {
                w.WriteString("end", name);
                w.WriteNumber("rows", rows);
                w.WriteString("sha256", digest);
            }), cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, content) in attachments ?? new Dictionary<string, byte[]>())
        {
            await WriteLineAsync(output, file, Json(w =>
            {
                w.WriteString("attachment", name);
                w.WriteBase64String("content", content);
            }), cancellationToken).ConfigureAwait(false);
        }

        var checksum = Json(w => w.WriteString("checksum", Convert.ToHexStringLower(file.GetHashAndReset())));
        await output.WriteAsync(checksum, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new SnapshotSummary(tables, attachments);
    }

    /// <summary>
    /// Loads a snapshot into an empty store (created and migrated if need be), in one transaction that commits only
    /// once every table's digest and the file's checksum match: a corrupted, truncated or foreign file changes nothing.
    /// </summary>
    public static async Task<SnapshotSummary> ImportAsync(StorageLocation to, Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(to);
        // Opening the store creates and migrates it, so the tables below exist at this release's schema.
        var migrated = to.IsPostgres
            ? await PostgresStorage.OpenAsync(to.Target, cancellationToken).ConfigureAwait(false)
            : await SqliteStorage.OpenAsync(to.Target, cancellationToken).ConfigureAwait(false);
        await migrated.DisposeAsync().ConfigureAwait(false);
        await using var connection = await OpenAsync(to, cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var table in new[] { "installation", "secrets", "tokens" })
        {
            if (await CountAsync(connection, transaction, table, cancellationToken).ConfigureAwait(false) > 0)
            {
                throw new SnapshotException($"{to} is not empty (its {table} table has rows): restore only into a new, empty store");
            }
        }

        foreach (var (name, _) in Tables.Reverse())
        {
            // A new store holds the default namespace its migrations made; the snapshot brings its own.
            await ExecuteAsync(connection, transaction, $"DELETE FROM {name};", cancellationToken).ConfigureAwait(false);
        }

        using var reader = new SnapshotReader(input);
        var tables = new List<SnapshotTable>();
        using var header = await reader.NextAsync(cancellationToken).ConfigureAwait(false);
        if (header?.RootElement.ValueKind != JsonValueKind.Object
            || !header.RootElement.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
        {
            throw new SnapshotException("this is not a Coffer snapshot (it does not start with the coffer-snapshot header)");
        }

        if (!header.RootElement.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version)
        {
            throw new SnapshotException($"this snapshot's format version is not {Version}; restore it with the Coffer release that wrote it");
        }

        foreach (var (name, _) in Tables)
        {
            tables.Add(await ImportTableAsync(reader, connection, transaction, to.IsPostgres, name, cancellationToken).ConfigureAwait(false));
        }

        var attachments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (true)
        {
            // Attachments count towards the checksum; the checksum line itself does not.
            var expected = Convert.ToHexStringLower(reader.HashSoFar());
            using var trailer = await reader.NextAsync(cancellationToken, hash: false).ConfigureAwait(false);
            if (trailer?.RootElement.ValueKind == JsonValueKind.Object
                && trailer.RootElement.TryGetProperty("attachment", out var attachment) && attachment.ValueKind == JsonValueKind.String
                && trailer.RootElement.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.TryGetBytesFromBase64(out var bytes))
            {
                reader.Count();
                attachments[attachment.GetString()!] = bytes;
                continue;
            }

            if (trailer?.RootElement.ValueKind != JsonValueKind.Object || !trailer.RootElement.TryGetProperty("checksum", out var checksum) || checksum.ValueKind != JsonValueKind.String)
            {
                throw new SnapshotException("the snapshot is truncated or corrupted: its checksum line is missing");
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(checksum.GetString()!), Encoding.ASCII.GetBytes(expected)))
            {
                throw new SnapshotException("the snapshot is corrupted: its checksum does not match its contents");
            }

            break;
        }

        if (await reader.NextAsync(cancellationToken, hash: false).ConfigureAwait(false) is not null)
        {
            throw new SnapshotException("the snapshot is corrupted: there is data after its checksum");
        }

        if (to.IsPostgres)
        {
            await ExecuteAsync(connection, transaction, "SELECT setval(pg_get_serial_sequence('secret_changes', 'revision'), GREATEST((SELECT MAX(revision) FROM secret_changes), 1));", cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SnapshotSummary(tables, attachments);
    }

    /// <summary>
    /// Moves a whole installation between stores: the snapshot stream goes straight from one to the other (nothing on
    /// disk), then the target is read back and every table's count and digest must match the source's.
    /// </summary>
    public static async Task<SnapshotSummary> MigrateAsync(StorageLocation from, StorageLocation to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var pipe = new Pipe();
        var export = Task.Run(
            async () =>
            {
                try
                {
                    await using var stream = pipe.Writer.AsStream();
                    return await ExportAsync(from, stream, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                    throw;
                }
            },
            cancellationToken);
        SnapshotSummary imported;
        try
        {
            await using var stream = pipe.Reader.AsStream();
            imported = await ImportAsync(to, stream, cancellationToken).ConfigureAwait(false);
        }
        catch (SnapshotException) when (export.IsFaulted)
        {
            // The source failed first; its reason is the one to report.
            await export.ConfigureAwait(false);
            throw;
        }

        var source = await export.ConfigureAwait(false);
        var check = await ExportAsync(to, Stream.Null, cancellationToken).ConfigureAwait(false);
        if ((source.FirstDifference(check) ?? source.FirstDifference(imported)) is { } difference)
        {
            throw new SnapshotException($"verification failed after the copy ({difference}); do not use {to} until it is checked");
        }

        return check;
    }

    private static async Task<SnapshotTable> ImportTableAsync(SnapshotReader reader, DbConnection connection, DbTransaction transaction, bool postgres, string name, CancellationToken cancellationToken)
    {
        List<string> columns;
        using (var start = await reader.NextAsync(cancellationToken).ConfigureAwait(false))
        {
            if (start?.RootElement.ValueKind != JsonValueKind.Object
                || !start.RootElement.TryGetProperty("table", out var table) || table.ValueKind != JsonValueKind.String
                || !start.RootElement.TryGetProperty("columns", out var names) || names.ValueKind != JsonValueKind.Array)
            {
                throw new SnapshotException($"the snapshot is truncated or corrupted: expected the start of table {name}");
            }

            if (table.GetString() != name)
            {
                throw new SnapshotException($"the snapshot holds table {table.GetString()} where {name} belongs: it is not from this Coffer release's format");
            }

            columns = [.. names.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new SnapshotException($"table {name}: a column name is not text"))];
        }

        var types = await ColumnsAsync(connection, transaction, postgres, name, cancellationToken).ConfigureAwait(false);
        if (columns.FirstOrDefault(c => !types.ContainsKey(c)) is { } unknown)
        {
            throw new SnapshotException($"table {name} has column {unknown}, which this store does not: the snapshot is from another release or not Coffer's");
        }

        var insert = $"INSERT INTO {name} ({string.Join(", ", columns)}){(postgres && name == "secret_changes" ? " OVERRIDING SYSTEM VALUE" : string.Empty)} VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))});";
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long rows = 0;
        await using var command = Command(connection, transaction, insert);
        while (true)
        {
            using var line = await reader.NextAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new SnapshotException($"the snapshot is truncated: table {name} has no end");
            var root = line.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (!root.TryGetProperty("end", out var end) || end.ValueKind != JsonValueKind.String || end.GetString() != name
                    || !root.TryGetProperty("rows", out var count) || count.ValueKind != JsonValueKind.Number
                    || !root.TryGetProperty("sha256", out var sha) || sha.ValueKind != JsonValueKind.String)
                {
                    throw new SnapshotException($"the snapshot is corrupted: table {name} does not end where it should");
                }

                var actual = Convert.ToHexStringLower(digest.GetHashAndReset());
                if (count.GetInt64() != rows || sha.GetString() != actual)
                {
                    throw new SnapshotException($"the snapshot is corrupted: table {name} does not match its recorded count and digest");
                }

                return new SnapshotTable(name, rows, actual);
            }

            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != columns.Count)
            {
                throw new SnapshotException($"the snapshot is corrupted: a row of table {name} does not have {columns.Count} values");
            }

            digest.AppendData(reader.LastLine);
            command.Parameters.Clear();
            var i = 0;
            foreach (var value in root.EnumerateArray())
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"p{i}";
                parameter.Value = Coerce(value, types[columns[i]], name, columns[i]);
                command.Parameters.Add(parameter);
                i++;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            rows++;
        }
    }

    /// <summary>A canonical value as the target column wants it: PostgreSQL's integer and boolean columns take their own types.</summary>
    private static object Coerce(JsonElement value, string type, string table, string column) => value.ValueKind switch
    {
        JsonValueKind.Null => DBNull.Value,
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number when value.TryGetInt64(out var number) => type switch
        {
            "boolean" => number != 0,
            "integer" => number is >= int.MinValue and <= int.MaxValue ? (int)number : throw new SnapshotException($"the snapshot is corrupted: table {table} column {column} is out of range"),
            _ => number,
        },
        JsonValueKind.Object when value.TryGetProperty("b", out var bytes) && bytes.ValueKind == JsonValueKind.String && bytes.TryGetBytesFromBase64(out var decoded) => decoded,
        _ => throw new SnapshotException($"the snapshot is corrupted: table {table} column {column} holds a value of the wrong kind"),
    };

    private static void WriteRow(Utf8JsonWriter writer, DbDataReader reader)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            switch (reader.IsDBNull(i) ? null : reader.GetValue(i))
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case long number:
                    writer.WriteNumberValue(number);
                    break;
                case int number:
                    writer.WriteNumberValue((long)number);
                    break;
                case short number:
                    writer.WriteNumberValue((long)number);
                    break;
                case bool flag:
                    writer.WriteNumberValue(flag ? 1L : 0L);
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case byte[] bytes:
                    writer.WriteStartObject();
                    writer.WriteBase64String("b", bytes);
                    writer.WriteEndObject();
                    break;
                case var other:
                    throw new SnapshotException($"column {reader.GetName(i)} holds a {other.GetType().Name}, which snapshots do not know");
            }
        }
    }

    private static byte[] Json(Action<Utf8JsonWriter> write, bool array = false)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (array)
            {
                writer.WriteStartArray();
                write(writer);
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteStartObject();
                write(writer);
                writer.WriteEndObject();
            }
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteLineAsync(Stream output, IncrementalHash file, byte[] line, CancellationToken cancellationToken)
    {
        file.AppendData(line);
        await output.WriteAsync(line, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Column name to type ("integer", "boolean", "bytea", ... on PostgreSQL; empty on SQLite, which stores what it is given).</summary>
    private static async Task<Dictionary<string, string>> ColumnsAsync(DbConnection connection, DbTransaction transaction, bool postgres, string table, CancellationToken cancellationToken)
    {
        var sql = postgres
            ? $"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}';"
            : $"SELECT name, '' FROM pragma_table_info('{table}');";
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = Command(connection, transaction, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns[reader.GetString(0)] = reader.GetString(1);
        }

        return columns.Count > 0 ? columns : throw new SnapshotException($"the store has no table {table}: it is not a Coffer store");
    }

    private static async Task<long> CountAsync(DbConnection connection, DbTransaction transaction, string table, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT COUNT(*) FROM {table};");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Table and column names come from the fixed table list and the store's own catalogue, never from input.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    private static async Task<DbConnection> OpenAsync(StorageLocation location, CancellationToken cancellationToken)
    {
        DbConnection connection;
        if (location.IsPostgres)
        {
            connection = new NpgsqlConnection(location.Target);
        }
        else
        {
            if (!File.Exists(location.Target))
            {
                throw new SnapshotException($"there is no Coffer database at {location.Target}");
            }

            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = location.Target, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
        }

        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (DbException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new SnapshotException($"{location} cannot be opened: {e.Message}", e);
        }
    }
}
