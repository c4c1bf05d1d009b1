using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>Versioned schema migrations; an advisory lock keeps replicas that start together from racing.</summary>
internal static class PostgresMigrations
{
    /// <summary>Arbitrary but fixed: the key of the transaction-scoped advisory lock held while migrating.</summary>
    private const long MigrationLockKey = 0x436F666665724D31;

    private static readonly string[] Steps =
    [
        """
        CREATE TABLE installation (
            id integer PRIMARY KEY CHECK (id = 1),
            shares integer NOT NULL,
            threshold integer NOT NULL,
            created_at bigint NOT NULL);
        CREATE TABLE key_ring (
            generation bigint PRIMARY KEY,
            blob bytea NOT NULL,
            created_at bigint NOT NULL);
        CREATE TABLE secrets (
            namespace text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            type text NOT NULL,
            labels text NOT NULL,
            annotations text NOT NULL,
            current_version bigint NOT NULL,
            max_versions integer NOT NULL,
            immutable boolean NOT NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            deleted_at bigint,
            PRIMARY KEY (namespace, name));
        CREATE TABLE secret_versions (
            namespace text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            created_at bigint NOT NULL,
            created_by text NOT NULL,
            deleted_at bigint,
            destroyed_at bigint,
            key_id integer,
            wrapped_key bytea,
            ciphertext bytea,
            PRIMARY KEY (namespace, name, version),
            FOREIGN KEY (namespace, name) REFERENCES secrets (namespace, name) ON DELETE CASCADE);
        CREATE INDEX secret_versions_by_key ON secret_versions (key_id) WHERE key_id IS NOT NULL;
        CREATE TABLE tokens (
            hash bytea PRIMARY KEY,
            accessor text NOT NULL UNIQUE,
            display_name text NOT NULL,
            is_root boolean NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint,
            parent_accessor text);
        """,
        """
        CREATE TABLE namespaces (
            name text COLLATE "C" PRIMARY KEY,
            created_at bigint NOT NULL);
        INSERT INTO namespaces (name, created_at) SELECT namespace, MIN(created_at) FROM secrets GROUP BY namespace;
        INSERT INTO namespaces (name, created_at) VALUES ('default', (extract(epoch from now()) * 1000)::bigint) ON CONFLICT (name) DO NOTHING;
        CREATE TABLE access_objects (
            kind text COLLATE "C" NOT NULL,
            namespace text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            body text NOT NULL,
            updated_at bigint NOT NULL,
            PRIMARY KEY (kind, namespace, name));
        CREATE TABLE known_users (
            name text COLLATE "C" PRIMARY KEY,
            last_seen_at bigint NOT NULL);
        ALTER TABLE tokens ADD COLUMN user_name text NOT NULL DEFAULT '';
        ALTER TABLE tokens ADD COLUMN groups text NOT NULL DEFAULT '[]';
        ALTER TABLE tokens ADD COLUMN roles text NOT NULL DEFAULT '[]';
        ALTER TABLE tokens ADD COLUMN renewable boolean NOT NULL DEFAULT false;
        ALTER TABLE tokens ADD COLUMN ttl_ms bigint;
        ALTER TABLE tokens ADD COLUMN max_expires_at bigint;
        CREATE INDEX tokens_by_parent ON tokens (parent_accessor);
        """,
        """
        CREATE TABLE login_roles (
            name text COLLATE "C" PRIMARY KEY,
            body text NOT NULL,
            updated_at bigint NOT NULL);
        """,
        """
        CREATE TABLE secret_rotations (
            namespace text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            token text NOT NULL,
            base_version bigint NOT NULL,
            last_step integer NOT NULL,
            status integer NOT NULL,
            error text,
            started_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            pending_key_id integer,
            pending_wrapped_key bytea,
            pending_ciphertext bytea,
            previous_version bigint,
            revoke_previous_at bigint,
            PRIMARY KEY (namespace, name),
            FOREIGN KEY (namespace, name) REFERENCES secrets (namespace, name) ON DELETE CASCADE);
        CREATE TABLE rotation_objects (
            kind text COLLATE "C" NOT NULL,
            namespace text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            body text NOT NULL,
            updated_at bigint NOT NULL,
            PRIMARY KEY (kind, namespace, name));
        CREATE TABLE leases (
            id text COLLATE "C" PRIMARY KEY,
            namespace text COLLATE "C" NOT NULL,
            issued_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            revoked_at bigint,
            body text NOT NULL);
        CREATE INDEX leases_by_expiry ON leases (expires_at) WHERE revoked_at IS NULL;
        """,
        """
        CREATE TABLE secret_changes (
            revision bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            namespace text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            kind text NOT NULL,
            at bigint NOT NULL);
        CREATE INDEX secret_changes_by_namespace ON secret_changes (namespace, revision);
        """,
        """
        ALTER TABLE installation ADD COLUMN rewrap_requested_at bigint;
        """,
        """
        CREATE TABLE audit_outbox (
            log_id text COLLATE "C" NOT NULL,
            seq bigint NOT NULL,
            line bytea NOT NULL,
            PRIMARY KEY (log_id, seq));
        """,
    ];

    public static int LatestVersion => Steps.Length;

    public static async Task<bool> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var lockCommand = PostgresDatabase.Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key);"))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var create = PostgresDatabase.Command(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL);"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var current = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (current > Steps.Length)
        {
            throw new InvalidOperationException($"the database schema is at version {current}, newer than this Coffer knows ({Steps.Length}); upgrade Coffer");
        }

        for (var version = current + 1; version <= Steps.Length; version++)
        {
            await using (var step = PostgresDatabase.Command(connection, transaction, Steps[version - 1]))
            {
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var record = PostgresDatabase.Command(
                connection,
                transaction,
                "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, (extract(epoch from now()) * 1000)::bigint);");
            record.Parameters.AddWithValue("v", version);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = PostgresDatabase.Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
