using Coffer.Core.Errors;
using Coffer.Core.Labels;

namespace Coffer.Core.Secrets;

/// <summary>
/// The decisions every storage backend must make the same way: check-and-set, immutability,
/// deleted secrets, version retention. Backends call these inside their transaction.
/// </summary>
public static class SecretRules
{
    public static void CheckExpectedVersion(SecretMetadata? existing, long? expected)
    {
        if (expected is null)
        {
            return;
        }

        var current = existing?.CurrentVersion ?? 0;
        if (current != expected.Value)
        {
            throw CofferException.Conflict(
                "VersionConflict",
                expected.Value == 0
                    ? "the secret already exists"
                    : $"expected version {expected.Value} but the current version is {current}");
        }
    }

    /// <summary>Checks a data write against the existing secret and returns the metadata to store.</summary>
    public static SecretMetadata ApplyWrite(SecretMetadata? existing, SecretWrite write)
    {
        CheckExpectedVersion(existing, write.ExpectedVersion);
        if (write.Labels is not null)
        {
            MetadataRules.ValidateLabels(write.Labels);
        }

        if (write.Annotations is not null)
        {
            MetadataRules.ValidateAnnotations(write.Annotations);
        }

        var maxVersions = write.MaxVersions ?? existing?.MaxVersions ?? SecretMetadata.DefaultMaxVersions;
        if (maxVersions is < 1 or > SecretMetadata.MaxMaxVersions)
        {
            throw CofferException.Invalid("InvalidField", $"maxVersions must be between 1 and {SecretMetadata.MaxMaxVersions}", "maxVersions");
        }

        if (existing is null)
        {
            return new SecretMetadata(
                write.Address,
                write.Type,
                write.Labels ?? new Dictionary<string, string>(),
                write.Annotations ?? new Dictionary<string, string>(),
                1,
                maxVersions,
                write.Immutable,
                write.At,
                write.At,
                null);
        }

        if (existing.IsDeleted)
        {
            throw CofferException.Conflict("SecretDeleted", $"secret {existing.Address} is deleted; undelete it before writing");
        }

        if (existing.Immutable)
        {
            throw CofferException.Conflict("SecretImmutable", $"secret {existing.Address} is immutable; its data cannot change");
        }

        if (!string.Equals(existing.Type, write.Type, StringComparison.Ordinal))
        {
            throw CofferException.Invalid("FieldImmutable", $"type cannot change from '{existing.Type}'", "type");
        }

        return existing with
        {
            Labels = write.Labels ?? existing.Labels,
            Annotations = write.Annotations ?? existing.Annotations,
            CurrentVersion = existing.CurrentVersion + 1,
            MaxVersions = maxVersions,
            Immutable = write.Immutable,
            UpdatedAt = write.At,
        };
    }

    /// <summary>The oldest version kept after a write, given the retention maximum.</summary>
    public static long OldestKeptVersion(SecretMetadata metadata) =>
        Math.Max(1, metadata.CurrentVersion - metadata.MaxVersions + 1);

    /// <summary>Applies a metadata patch and returns the new labels and annotations.</summary>
    public static SecretMetadata ApplyMetadata(SecretMetadata existing, SecretChange change)
    {
        CheckExpectedVersion(existing, change.ExpectedVersion);
        var labels = Merge(existing.Labels, change.Labels);
        var annotations = Merge(existing.Annotations, change.Annotations);
        MetadataRules.ValidateLabels(labels);
        MetadataRules.ValidateAnnotations(annotations);
        return existing with { Labels = labels, Annotations = annotations, UpdatedAt = change.At };
    }

    /// <summary>Checks the versions a lifecycle change names exist.</summary>
    public static void CheckVersions(IReadOnlyCollection<long> known, IReadOnlyList<long> requested)
    {
        foreach (var version in requested)
        {
            if (!known.Contains(version))
            {
                throw CofferException.NotFound("VersionNotFound", $"version {version} does not exist");
            }
        }
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> existing, IReadOnlyDictionary<string, string?>? patch)
    {
        var result = new Dictionary<string, string>(existing, StringComparer.Ordinal);
        if (patch is null)
        {
            return result;
        }

        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = value;
            }
        }

        return result;
    }
}
