using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>Versioned schema migrations, applied in order, each in its own transaction.</summary>
internal static class SqliteMigrations
{
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE installation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            shares INTEGER NOT NULL,
            threshold INTEGER NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE key_ring (
            generation INTEGER PRIMARY KEY,
            blob BLOB NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE secrets (
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            labels TEXT NOT NULL,
            annotations TEXT NOT NULL,
            current_version INTEGER NOT NULL,
            max_versions INTEGER NOT NULL,
            immutable INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            deleted_at INTEGER,
            PRIMARY KEY (namespace, name)) WITHOUT ROWID;
        CREATE TABLE secret_versions (
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            deleted_at INTEGER,
            destroyed_at INTEGER,
            key_id INTEGER,
            wrapped_key BLOB,
            ciphertext BLOB,
            PRIMARY KEY (namespace, name, version),
            FOREIGN KEY (namespace, name) REFERENCES secrets (namespace, name) ON DELETE CASCADE);
        CREATE INDEX secret_versions_by_key ON secret_versions (key_id) WHERE key_id IS NOT NULL;
        CREATE TABLE tokens (
            hash BLOB PRIMARY KEY,
            accessor TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            is_root INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            parent_accessor TEXT);
        """,
        """
        CREATE TABLE namespaces (
            name TEXT PRIMARY KEY,
            created_at INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO namespaces (name, created_at) SELECT namespace, MIN(created_at) FROM secrets GROUP BY namespace;
        INSERT INTO namespaces (name, created_at) VALUES ('default', unixepoch() * 1000) ON CONFLICT (name) DO NOTHING;
        CREATE TABLE access_objects (
            kind TEXT NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (kind, namespace, name)) WITHOUT ROWID;
        CREATE TABLE known_users (
            name TEXT PRIMARY KEY,
            last_seen_at INTEGER NOT NULL) WITHOUT ROWID;
        ALTER TABLE tokens ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
        ALTER TABLE tokens ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE tokens ADD COLUMN roles TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE tokens ADD COLUMN renewable INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tokens ADD COLUMN ttl_ms INTEGER;
        ALTER TABLE tokens ADD COLUMN max_expires_at INTEGER;
        CREATE INDEX tokens_by_parent ON tokens (parent_accessor);
        """,
        """
        CREATE TABLE login_roles (
            name TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            updated_at INTEGER NOT NULL) WITHOUT ROWID;
        """,
        """
        CREATE TABLE secret_rotations (
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            token TEXT NOT NULL,
            base_version INTEGER NOT NULL,
            last_step INTEGER NOT NULL,
            status INTEGER NOT NULL,
            error TEXT,
            started_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            pending_key_id INTEGER,
            pending_wrapped_key BLOB,
            pending_ciphertext BLOB,
            previous_version INTEGER,
            revoke_previous_at INTEGER,
            PRIMARY KEY (namespace, name),
            FOREIGN KEY (namespace, name) REFERENCES secrets (namespace, name) ON DELETE CASCADE) WITHOUT ROWID;
        CREATE TABLE rotation_objects (
            kind TEXT NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (kind, namespace, name)) WITHOUT ROWID;
        CREATE TABLE leases (
            id TEXT PRIMARY KEY,
            namespace TEXT NOT NULL,
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            revoked_at INTEGER,
            body TEXT NOT NULL) WITHOUT ROWID;
        CREATE INDEX leases_by_expiry ON leases (expires_at) WHERE revoked_at IS NULL;
        """,
        """
        CREATE TABLE secret_changes (
            revision INTEGER PRIMARY KEY AUTOINCREMENT,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            at INTEGER NOT NULL);
        CREATE INDEX secret_changes_by_namespace ON secret_changes (namespace, revision);
        """,
        """
        ALTER TABLE installation ADD COLUMN rewrap_requested_at INTEGER;
        """,
        """
        CREATE TABLE audit_outbox (
            log_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            line BLOB NOT NULL,
            PRIMARY KEY (log_id, seq)) WITHOUT ROWID;
        """,
    ];

    public static int LatestVersion => Steps.Length;

    public static void Apply(SqliteConnection connection)
    {
        SqliteDatabase.Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);");
        var current = CurrentVersion(connection);
        if (current > Steps.Length)
        {
            throw new InvalidOperationException($"the database schema is at version {current}, newer than this Coffer knows ({Steps.Length}); upgrade Coffer");
        }

        for (var version = current + 1; version <= Steps.Length; version++)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            SqliteDatabase.Execute(connection, Steps[version - 1], transaction);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($v, unixepoch() * 1000);";
            record.Parameters.AddWithValue("$v", version);
            record.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    public static int CurrentVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
