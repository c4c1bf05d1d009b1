using System.Globalization;
using Coffer.Core.Errors;
using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <summary>
/// What a lifecycle or metadata change does, decided once for every backend: the new metadata, and the
/// statement (parameters <c>@ns</c>, <c>@name</c>, <c>@at</c>) that changes the affected version rows, if any.
/// </summary>
internal sealed record SecretChangePlan(SecretMetadata Updated, string? VersionsSql)
{
    public static SecretChangePlan For(SecretMetadata existing, IReadOnlyList<SecretVersionInfo> history, SecretChange change)
    {
        SecretRules.CheckExpectedVersion(existing, change.ExpectedVersion);
        SecretRules.CheckVersions(history.Select(v => v.Version).ToList(), change.Versions);
        var touched = existing with { UpdatedAt = change.At };
        var wholeSecret = change.Versions.Count == 0;
        switch (change.Kind)
        {
            case SecretChangeKind.Metadata:
                return new(SecretRules.ApplyMetadata(existing, change), null);
            case SecretChangeKind.Delete when wholeSecret:
                return new(touched with { DeletedAt = existing.DeletedAt ?? change.At }, null);
            case SecretChangeKind.Undelete when wholeSecret:
                return new(touched with { DeletedAt = null }, null);
            case SecretChangeKind.Delete:
                return new(touched, Sql(change, "deleted_at = COALESCE(deleted_at, @at)", "destroyed_at IS NULL"));
            case SecretChangeKind.Undelete:
                var destroyed = history.FirstOrDefault(v => change.Versions.Contains(v.Version) && v.DestroyedAt is not null);
                return destroyed is not null
                    ? throw CofferException.Conflict("VersionDestroyed", $"version {destroyed.Version} is destroyed and cannot be undeleted")
                    : new(touched, Sql(change, "deleted_at = NULL", "1 = 1"));
            case SecretChangeKind.Destroy:
                return new(
                    wholeSecret ? touched with { DeletedAt = existing.DeletedAt ?? change.At } : touched,
                    Sql(change, "destroyed_at = COALESCE(destroyed_at, @at), key_id = NULL, wrapped_key = NULL, ciphertext = NULL", "1 = 1"));
            default:
                throw new ArgumentOutOfRangeException(nameof(change));
        }
    }

    private static string Sql(SecretChange change, string set, string where)
    {
        var versions = change.Versions.Count == 0
            ? string.Empty
            : $"AND version IN ({string.Join(',', change.Versions.Select(v => v.ToString(CultureInfo.InvariantCulture)))})";
        return $"UPDATE secret_versions SET {set} WHERE namespace = @ns AND name = @name AND {where} {versions};";
    }
}
