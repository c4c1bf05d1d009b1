using Coffer.Core.Errors;
using Coffer.Core.Secrets;
using Coffer.Storage;

namespace Coffer.Server.Rotation;

/// <summary>Applies a namespace's naming policy to a write: rejects it naming the rule broken, or returns warnings.</summary>
internal sealed class NamingEnforcement(RotationSettings settings, ISecretStore secrets, ILogger<NamingEnforcement> logger)
{
    /// <param name="labels">The labels the write sets; null keeps the stored ones.</param>
    public async Task<IReadOnlyList<string>> CheckAsync(SecretAddress address, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? annotations, CancellationToken cancellationToken)
    {
        var policy = RotationSettings.NamingOf(await settings.GetNamespacePolicyAsync(address.Namespace, cancellationToken).ConfigureAwait(false));
        if (policy is null)
        {
            return [];
        }

        if (labels is null || annotations is null)
        {
            var existing = await secrets.GetMetadataAsync(address, cancellationToken).ConfigureAwait(false);
            labels ??= existing?.Labels ?? new Dictionary<string, string>();
            annotations ??= existing?.Annotations ?? new Dictionary<string, string>();
        }

        var violations = policy.Violations(address.Name, labels, annotations);
        if (violations.Count == 0)
        {
            return [];
        }

        if (policy.Enforce)
        {
            throw CofferException.Invalid("NamingPolicyViolation", $"namespace {address.Namespace} naming policy: {string.Join("; ", violations)}", "metadata");
        }

        RotationLog.NamingWarning(logger, address.Namespace, address.Name, string.Join("; ", violations));
        return violations;
    }

    /// <summary>The same check for a metadata merge patch, where a null value removes a key.</summary>
    public async Task<IReadOnlyList<string>> CheckPatchAsync(SecretAddress address, IReadOnlyDictionary<string, string?>? labels, IReadOnlyDictionary<string, string?>? annotations, CancellationToken cancellationToken)
    {
        var existing = await secrets.GetMetadataAsync(address, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return [];
        }

        return await CheckAsync(address, Merge(existing.Labels, labels), Merge(existing.Annotations, annotations), cancellationToken).ConfigureAwait(false);
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> existing, IReadOnlyDictionary<string, string?>? patch)
    {
        var merged = new Dictionary<string, string>(existing, StringComparer.Ordinal);
        foreach (var (key, value) in patch ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value;
            }
        }

        return merged;
    }

    /// <summary>Kubernetes' way of warning a client: one <c>Warning: 299 - "…"</c> header per problem.</summary>
    public static void AddWarnings(HttpResponse response, IReadOnlyList<string> warnings)
    {
        foreach (var warning in warnings)
        {
            response.Headers.Append("Warning", $"299 - \"{warning.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }
}
