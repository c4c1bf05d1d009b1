using k8s.Models;

namespace Coffer.Kubernetes.Operator;

/// <summary>What to do to the native Secret so it matches the desired one; decided without any API call.</summary>
/// <param name="Write">The Secret to create or replace, or null when nothing needs writing.</param>
/// <param name="Drift">The target had been changed (or deleted) behind the operator's back and is being restored.</param>
internal sealed record SecretApplyPlan(SecretApplyAction Action, V1Secret? Write, bool Drift, string? RefusalReason = null, string? RefusalMessage = null)
{
    public static SecretApplyPlan For(CofferSecretResource resource, V1Secret desired, V1Secret? existing)
    {
        var policy = SecretProjection.CreationPolicy(resource);
        var owner = $"{resource.Namespace}/{resource.Name}";
        var managedBefore = resource.Status?.SyncedVersion is not null;
        if (existing is null)
        {
            return policy == CofferSecretNames.Merge
                ? new(SecretApplyAction.Refuse, null, false, "TargetNotFound", $"creationPolicy Merge needs Secret {resource.TargetName} to exist")
                : new(SecretApplyAction.Create, desired, managedBefore);
        }

        var existingOwner = existing.Metadata.Annotations?.TryGetValue(CofferSecretNames.OwnerAnnotation, out var o) == true ? o : null;
        if (existingOwner is not null && existingOwner != owner)
        {
            return new(SecretApplyAction.Refuse, null, false, "TargetOwnedElsewhere", $"Secret {resource.TargetName} is kept by CofferSecret {existingOwner}");
        }

        if (policy == CofferSecretNames.Merge)
        {
            var merged = Merge(existing, desired);
            return SameContent(existing, merged) ? new(SecretApplyAction.None, null, false) : new(SecretApplyAction.Replace, merged, managedBefore && DataDiffers(existing, desired, onlyDesiredKeys: true) && !HashChanged(existing, desired));
        }

        if (existingOwner is null)
        {
            return new(SecretApplyAction.Refuse, null, false, "TargetExists", $"Secret {resource.TargetName} exists and is not Coffer's; use creationPolicy Merge to add to it");
        }

        if (SameContent(existing, desired))
        {
            return new(SecretApplyAction.None, null, false);
        }

        var replacement = CopyIdentity(existing, desired);
        // The data differs although Coffer's data did not change: someone edited the Secret.
        var drift = DataDiffers(existing, desired, onlyDesiredKeys: false) && !HashChanged(existing, desired);
        return new(SecretApplyAction.Replace, replacement, drift);
    }

    private static bool HashChanged(V1Secret existing, V1Secret desired) =>
        Annotation(existing, CofferSecretNames.HashAnnotation) != Annotation(desired, CofferSecretNames.HashAnnotation);

    private static string? Annotation(V1Secret secret, string key) =>
        secret.Metadata.Annotations?.TryGetValue(key, out var value) == true ? value : null;

    private static V1Secret Merge(V1Secret existing, V1Secret desired)
    {
        var data = new Dictionary<string, byte[]>(existing.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
        foreach (var (key, value) in desired.Data ?? new Dictionary<string, byte[]>())
        {
            data[key] = value;
        }

        var labels = new Dictionary<string, string>(existing.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in desired.Metadata.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        var annotations = new Dictionary<string, string>(existing.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in desired.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            annotations[key] = value;
        }

        annotations[CofferSecretNames.MergedKeysAnnotation] = string.Join(',', (desired.Data ?? new Dictionary<string, byte[]>()).Keys.Order(StringComparer.Ordinal));
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta
            {
                Name = existing.Metadata.Name,
                NamespaceProperty = existing.Metadata.NamespaceProperty,
                ResourceVersion = existing.Metadata.ResourceVersion,
                Uid = existing.Metadata.Uid,
                Labels = labels,
                Annotations = annotations,
                OwnerReferences = existing.Metadata.OwnerReferences,
            },
            Type = existing.Type,
            Data = data,
        };
    }

    private static V1Secret CopyIdentity(V1Secret existing, V1Secret desired)
    {
        desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        desired.Metadata.Uid = existing.Metadata.Uid;
        return desired;
    }

    /// <summary>Equal data, type, and every label and annotation the desired Secret sets (others may be added by anyone).</summary>
    private static bool SameContent(V1Secret existing, V1Secret desired) =>
        !DataDiffers(existing, desired, onlyDesiredKeys: false)
        && (existing.Type ?? "Opaque") == (desired.Type ?? "Opaque")
        && Contains(existing.Metadata.Labels, desired.Metadata.Labels)
        && Contains(existing.Metadata.Annotations, desired.Metadata.Annotations);

    private static bool Contains(IDictionary<string, string>? have, IDictionary<string, string>? want) =>
        (want ?? new Dictionary<string, string>()).All(kv => have?.TryGetValue(kv.Key, out var v) == true && v == kv.Value);

    private static bool DataDiffers(V1Secret existing, V1Secret desired, bool onlyDesiredKeys)
    {
        var have = existing.Data ?? new Dictionary<string, byte[]>();
        var want = desired.Data ?? new Dictionary<string, byte[]>();
        if (!onlyDesiredKeys && have.Count != want.Count)
        {
            return true;
        }

        return want.Any(kv => !have.TryGetValue(kv.Key, out var value) || !value.AsSpan().SequenceEqual(kv.Value));
    }
}
