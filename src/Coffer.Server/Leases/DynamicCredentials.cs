using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Core.Errors;
using Coffer.Core.Generators;
using Coffer.Core.Naming;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;
using Coffer.Server.Rotation;
using Coffer.Server.Secrets;
using Coffer.Storage;
using Npgsql;

namespace Coffer.Server.Leases;

/// <summary>
/// PostgreSQL logins that live for a lease. The lease is stored before the role is created, so a crash in between leaves
/// a lease that revocation cleans up rather than a role nobody knows of.
/// </summary>
internal sealed class DynamicCredentials(IRotationObjectStore objects, ILeaseStore leases, SecretOperations secrets, TimeProvider time, ILogger<DynamicCredentials> logger)
{
    public const string ConnectionKind = "DatabaseConnection";
    public const string RoleKind = "DatabaseRole";
    public const int MaxStatements = 32;
    public const int MaxStatementLength = 4096;

    public static readonly string[] DefaultRevocationStatements = ["DROP OWNED BY \"{{name}}\";", "DROP ROLE IF EXISTS \"{{name}}\";"];

    public async Task<DatabaseConnectionDocument?> GetConnectionAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        await objects.GetAsync(ConnectionKind, @namespace, name, cancellationToken).ConfigureAwait(false) is { } body
            ? JsonSerializer.Deserialize(body, RotationJsonContext.Default.DatabaseConnectionDocument)
            : null;

    public Task<bool> PutConnectionAsync(string @namespace, string name, DatabaseConnectionDocument connection, CancellationToken cancellationToken)
    {
        Secrets.SecretOperations.CheckEnvelope(connection.ApiVersion, connection.Kind, "DatabaseConnection");
        KubernetesNames.ValidateName(name);
        KubernetesNames.ValidateName(connection.ConnectionSecret);
        if (connection.Key.Length is 0 or > SecretData.MaxKeyLength)
        {
            throw CofferException.Invalid("InvalidField", "key must name a data key of the connection secret", "key");
        }

        var stored = connection with { ApiVersion = null, Kind = null };
        return objects.PutAsync(ConnectionKind, @namespace, name, JsonSerializer.Serialize(stored, RotationJsonContext.Default.DatabaseConnectionDocument), time.GetUtcNow(), cancellationToken);
    }

    public async Task<DatabaseRoleDocument?> GetRoleAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        await objects.GetAsync(RoleKind, @namespace, name, cancellationToken).ConfigureAwait(false) is { } body
            ? JsonSerializer.Deserialize(body, RotationJsonContext.Default.DatabaseRoleDocument)
            : null;

    public Task<bool> PutRoleAsync(string @namespace, string name, DatabaseRoleDocument role, CancellationToken cancellationToken)
    {
        Secrets.SecretOperations.CheckEnvelope(role.ApiVersion, role.Kind, "DatabaseRole");
        KubernetesNames.ValidateName(name);
        KubernetesNames.ValidateName(role.Connection);
        CheckStatements(role.CreationStatements, "creationStatements", required: true);
        CheckStatements(role.RevocationStatements ?? [], "revocationStatements", required: false);
        var defaultTtl = DurationText.Parse(role.DefaultTtl, "defaultTtl");
        var maxTtl = DurationText.Parse(role.MaxTtl, "maxTtl");
        if (defaultTtl > maxTtl)
        {
            throw CofferException.Invalid("InvalidField", "defaultTtl must not exceed maxTtl", "defaultTtl");
        }

        var stored = role with { ApiVersion = null, Kind = null };
        return objects.PutAsync(RoleKind, @namespace, name, JsonSerializer.Serialize(stored, RotationJsonContext.Default.DatabaseRoleDocument), time.GetUtcNow(), cancellationToken);
    }

    public Task<bool> DeleteAsync(string kind, string @namespace, string name, CancellationToken cancellationToken) =>
        objects.DeleteAsync(kind, @namespace, name, cancellationToken);

    public async Task<CredentialResponse> IssueAsync(string @namespace, string roleName, string? ttlText, CancellationToken cancellationToken)
    {
        var role = await GetRoleAsync(@namespace, roleName, cancellationToken).ConfigureAwait(false)
            ?? throw CofferException.NotFound("DatabaseRoleNotFound", $"database role {@namespace}/{roleName} not found");
        var maxTtl = DurationText.Parse(role.MaxTtl, "maxTtl");
        var ttl = ttlText is null ? DurationText.Parse(role.DefaultTtl, "defaultTtl") : DurationText.Parse(ttlText, "ttl");
        if (ttl > maxTtl)
        {
            ttl = maxTtl;
        }

        var admin = await AdminConnectionStringAsync(@namespace, role.Connection, cancellationToken).ConfigureAwait(false);
        _ = PostgresAdmin.Parse(admin);
        var now = time.GetUtcNow();
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var username = $"v_{Sanitize(roleName)}_{suffix}";
        var password = PasswordGenerator.Generate(new PasswordPolicy(32, Symbols: false));
        var expires = now + ttl;
        var body = new LeaseBody(roleName, role.Connection, username, role.RevocationStatements is { Count: > 0 } r ? r : DefaultRevocationStatements, now + maxTtl);
        var lease = new LeaseRow($"{@namespace}/database/creds/{roleName}/{suffix}", @namespace, now, expires, null, JsonSerializer.Serialize(body, RotationJsonContext.Default.LeaseBody));
        await leases.CreateAsync(lease, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await PostgresAdmin.OpenAsync(admin, cancellationToken).ConfigureAwait(false);
            var verifier = ScramVerifier.Create(password);
            await PostgresAdmin.ExecuteAsync(connection, role.CreationStatements.Select(s => Expand(s, username, verifier, expires)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or CofferException)
        {
            await leases.MarkRevokedAsync(lease.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            throw e as CofferException ?? PostgresAdmin.Failure($"creating the login for role {roleName}", e);
        }

        RotationLog.LeaseIssued(logger, lease.Id, roleName);
        return new CredentialResponse(lease.Id, (long)ttl.TotalSeconds, expires < body.MaxExpiresAt, expires, body.MaxExpiresAt, username, password);
    }

    /// <summary>Extends a lease by <paramref name="incrementText"/> (default: the role's default TTL) from now, never past its maximum.</summary>
    public async Task<LeaseResource> RenewAsync(string @namespace, string leaseId, string? incrementText, CancellationToken cancellationToken)
    {
        var (row, body) = await FindAsync(@namespace, leaseId, cancellationToken).ConfigureAwait(false);
        if (row.RevokedAt is not null)
        {
            throw CofferException.Conflict("LeaseRevoked", $"lease {leaseId} is revoked");
        }

        var now = time.GetUtcNow();
        if (row.ExpiresAt <= now)
        {
            throw CofferException.Conflict("LeaseExpired", $"lease {leaseId} has expired");
        }

        var role = await GetRoleAsync(@namespace, body.Role, cancellationToken).ConfigureAwait(false);
        var increment = incrementText is not null ? DurationText.Parse(incrementText, "increment") : role is not null ? DurationText.Parse(role.DefaultTtl, "defaultTtl") : TimeSpan.FromHours(1);
        var expires = now + increment > body.MaxExpiresAt ? body.MaxExpiresAt : now + increment;
        if (expires > row.ExpiresAt && !await leases.RenewAsync(leaseId, expires, cancellationToken).ConfigureAwait(false))
        {
            throw CofferException.Conflict("LeaseRevoked", $"lease {leaseId} is revoked");
        }

        return ToResource(row with { ExpiresAt = expires > row.ExpiresAt ? expires : row.ExpiresAt }, body);
    }

    public async Task<IReadOnlyList<string>> RevokeAsync(string @namespace, string? leaseId, string? prefix, CancellationToken cancellationToken)
    {
        if ((leaseId is null) == (prefix is null))
        {
            throw CofferException.Invalid("InvalidField", "give leaseId or prefix", "leaseId");
        }

        if (leaseId is not null)
        {
            var (row, body) = await FindAsync(@namespace, leaseId, cancellationToken).ConfigureAwait(false);
            if (row.RevokedAt is null)
            {
                await RevokeRowAsync(row, body, cancellationToken).ConfigureAwait(false);
            }

            return [leaseId];
        }

        if (!prefix!.StartsWith($"{@namespace}/", StringComparison.Ordinal))
        {
            throw CofferException.Invalid("InvalidField", $"prefix must start with {@namespace}/", "prefix");
        }

        var revoked = new List<string>();
        foreach (var row in (await leases.ListAsync(@namespace, includeRevoked: false, cancellationToken).ConfigureAwait(false)).Where(l => l.Id.StartsWith(prefix, StringComparison.Ordinal)))
        {
            await RevokeRowAsync(row, Body(row), cancellationToken).ConfigureAwait(false);
            revoked.Add(row.Id);
        }

        return revoked;
    }

    /// <summary>Revokes every expired lease; failures stay unrevoked and are retried on the next pass.</summary>
    public async Task<int> RevokeExpiredAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var row in await leases.ListExpiredAsync(time.GetUtcNow(), 100, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await RevokeRowAsync(row, Body(row), cancellationToken).ConfigureAwait(false);
                count++;
            }
            catch (CofferException e)
            {
                RotationLog.LeaseRevokeFailed(logger, row.Id, e.Message);
            }
        }

        return count;
    }

    public async Task<IReadOnlyList<LeaseResource>> ListAsync(string @namespace, bool includeRevoked, CancellationToken cancellationToken) =>
        (await leases.ListAsync(@namespace, includeRevoked, cancellationToken).ConfigureAwait(false)).Select(r => ToResource(r, Body(r))).ToList();

    private async Task RevokeRowAsync(LeaseRow row, LeaseBody body, CancellationToken cancellationToken)
    {
        var admin = await AdminConnectionStringAsync(row.Namespace, body.Connection, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await PostgresAdmin.OpenAsync(admin, cancellationToken).ConfigureAwait(false);
            if (await PostgresAdmin.RoleExistsAsync(connection, body.Username, cancellationToken).ConfigureAwait(false))
            {
                await PostgresAdmin.DisableAndDisconnectAsync(connection, body.Username, cancellationToken).ConfigureAwait(false);
                await PostgresAdmin.ExecuteAsync(connection, body.RevocationStatements.Select(s => Expand(s, body.Username, string.Empty, row.ExpiresAt)), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException e)
        {
            throw PostgresAdmin.Failure($"revoking lease {row.Id}", e);
        }

        await leases.MarkRevokedAsync(row.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        RotationLog.LeaseRevoked(logger, row.Id);
    }

    private async Task<(LeaseRow Row, LeaseBody Body)> FindAsync(string @namespace, string leaseId, CancellationToken cancellationToken)
    {
        var row = await leases.GetAsync(leaseId, cancellationToken).ConfigureAwait(false);
        return row is not null && row.Namespace == @namespace
            ? (row, Body(row))
            : throw CofferException.NotFound("LeaseNotFound", $"lease {leaseId} not found in namespace {@namespace}");
    }

    private async Task<string> AdminConnectionStringAsync(string @namespace, string connectionName, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(@namespace, connectionName, cancellationToken).ConfigureAwait(false)
            ?? throw CofferException.NotFound("DatabaseConnectionNotFound", $"database connection {@namespace}/{connectionName} not found");
        var (_, data) = await secrets.GetAsync(new SecretAddress(@namespace, connection.ConnectionSecret), null, cancellationToken).ConfigureAwait(false);
        return data.Values.TryGetValue(connection.Key, out var value)
            ? Encoding.UTF8.GetString(value)
            : throw CofferException.Invalid("InvalidConnectionSecret", $"secret {@namespace}/{connection.ConnectionSecret} has no '{connection.Key}'", "connectionSecret");
    }

    private static LeaseBody Body(LeaseRow row) => JsonSerializer.Deserialize(row.Body, RotationJsonContext.Default.LeaseBody)!;

    private static LeaseResource ToResource(LeaseRow row, LeaseBody body) =>
        new(row.Id, row.Namespace, body.Role, body.Username, row.IssuedAt, row.ExpiresAt, body.MaxExpiresAt, row.RevokedAt);

    /// <summary>The values substituted are ours and of safe alphabets (a-z0-9_, SCRAM's base64, ISO time), so no quoting is needed.</summary>
    private static string Expand(string statement, string username, string verifier, DateTimeOffset expires) => statement
        .Replace("{{name}}", username, StringComparison.Ordinal)
        .Replace("{{password}}", verifier, StringComparison.Ordinal)
        .Replace("{{expiration}}", expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'+00'", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static string Sanitize(string role)
    {
        var text = new string(role.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray());
        return text.Length > 40 ? text[..40] : text;
    }

    private static void CheckStatements(IReadOnlyList<string>? statements, string field, bool required)
    {
        if (statements is null || (required && statements.Count == 0))
        {
            throw CofferException.Invalid("MissingField", $"{field} needs at least one statement", field);
        }

        if (statements.Count > MaxStatements || statements.Any(s => string.IsNullOrWhiteSpace(s) || s.Length > MaxStatementLength))
        {
            throw CofferException.Invalid("InvalidField", $"{field}: at most {MaxStatements} non-empty statements of at most {MaxStatementLength} characters", field);
        }

        if (required && !statements.Any(s => s.Contains("{{name}}", StringComparison.Ordinal)))
        {
            throw CofferException.Invalid("InvalidField", $"{field} must create the role {{{{name}}}}", field);
        }
    }
}
