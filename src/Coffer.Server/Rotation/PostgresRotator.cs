using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Generators;
using Coffer.Core.Secrets;
using Coffer.Server.Leases;
using Npgsql;

namespace Coffer.Server.Rotation;

/// <summary>
/// Rotates a PostgreSQL login held as <c>username</c> and <c>password</c>. Single user: the one role's password changes at
/// the set step, so logins with the old password fail from then until clients read the new current version (sessions
/// already open are not affected). Alternating users: the role clients are not using gets the new password, so the
/// current credential keeps working until it is revoked after the rollout or grace period.
/// </summary>
internal sealed class PostgresRotator(GenerateOnlyRotator generator) : IRotator
{
    public const string UsernameKey = "username";
    public const string PasswordKey = "password";

    public bool RevokesPrevious => true;

    public static bool Alternating(PostgresRotatorDocument settings) => settings.Strategy == "alternating";

    public async Task<SecretData> CreatePendingAsync(RotationContext context, SecretData current, CancellationToken cancellationToken)
    {
        var settings = context.Policy.Postgres!;
        var values = new Dictionary<string, byte[]>((await generator.CreatePendingAsync(context, current, cancellationToken).ConfigureAwait(false)).Values, StringComparer.Ordinal);
        var username = current.Values.TryGetValue(UsernameKey, out var name) ? Encoding.UTF8.GetString(name) : null;
        if (Alternating(settings))
        {
            var pair = settings.Usernames!;
            username = username == pair[0] ? pair[1] : pair[0];
        }
        else if (username is null)
        {
            throw CofferException.Invalid("InvalidSecretData", $"secret {context.Address} has no '{UsernameKey}' to rotate", $"data[{UsernameKey}]");
        }

        values[UsernameKey] = Encoding.UTF8.GetBytes(username);
        values[PasswordKey] = Encoding.UTF8.GetBytes(PasswordGenerator.Generate(new PasswordPolicy(settings.PasswordLength ?? 32, Symbols: false)));
        return SecretData.Create(values);
    }

    public async Task SetAsync(RotationContext context, SecretData current, SecretData pending, CancellationToken cancellationToken)
    {
        var (username, password) = Credential(pending);
        await using var admin = await OpenAdminAsync(context, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!await PostgresAdmin.RoleExistsAsync(admin, username, cancellationToken).ConfigureAwait(false))
            {
                throw RotationFailure.Step($"role {username} does not exist; create it (with the same grants as its partner) before rotating");
            }

            await PostgresAdmin.SetPasswordAsync(admin, username, ScramVerifier.Create(password), cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw RotationFailure.Step(PostgresAdmin.Failure($"setting the password of {username}", e).Message);
        }
    }

    public async Task TestAsync(RotationContext context, SecretData pending, CancellationToken cancellationToken)
    {
        var (username, password) = Credential(pending);
        var admin = await AdminConnectionStringAsync(context, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = new NpgsqlConnection(PostgresAdmin.For(admin, username, password));
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var probe = new NpgsqlCommand("SELECT 1;", connection);
            await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw RotationFailure.Step(PostgresAdmin.Failure($"logging in as {username} with the pending password", e).Message);
        }
    }

    /// <summary>Alternating only: the previous role's password is removed, so it cannot log in until its next turn.</summary>
    public async Task RevokePreviousAsync(RotationContext context, SecretData previous, CancellationToken cancellationToken)
    {
        if (!Alternating(context.Policy.Postgres!))
        {
            return;
        }

        var (username, _) = Credential(previous);
        await using var admin = await OpenAdminAsync(context, cancellationToken).ConfigureAwait(false);
        try
        {
            await PostgresAdmin.SetPasswordAsync(admin, username, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw RotationFailure.Step(PostgresAdmin.Failure($"revoking the password of {username}", e).Message);
        }
    }

    private static (string Username, string Password) Credential(SecretData data) =>
        data.Values.TryGetValue(UsernameKey, out var user) && data.Values.TryGetValue(PasswordKey, out var password)
            ? (Encoding.UTF8.GetString(user), Encoding.UTF8.GetString(password))
            : throw RotationFailure.Step($"the version has no '{UsernameKey}' and '{PasswordKey}'");

    private static async Task<string> AdminConnectionStringAsync(RotationContext context, CancellationToken cancellationToken)
    {
        var secret = await context.ReadSecret(context.Policy.Postgres!.ConnectionSecret, cancellationToken).ConfigureAwait(false);
        return secret.Values.TryGetValue("connectionString", out var value)
            ? Encoding.UTF8.GetString(value)
            : throw RotationFailure.Step($"secret {context.Address.Namespace}/{context.Policy.Postgres.ConnectionSecret} has no 'connectionString'");
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync(RotationContext context, CancellationToken cancellationToken)
    {
        var admin = await AdminConnectionStringAsync(context, cancellationToken).ConfigureAwait(false);
        try
        {
            return await PostgresAdmin.OpenAsync(admin, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferException e)
        {
            throw RotationFailure.Step(e.Message);
        }
    }
}
