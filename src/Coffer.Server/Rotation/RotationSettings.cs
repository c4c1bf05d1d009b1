using System.Net;
using System.Text.Json;
using Coffer.Core.Errors;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;
using Coffer.Storage;

namespace Coffer.Server.Rotation;

/// <summary>Per-secret rotation policies and namespace policies, validated on the way in.</summary>
internal sealed class RotationSettings(IRotationObjectStore objects, TimeProvider time)
{
    public const string SecretPolicyKind = "RotationPolicy";
    public const string NamespacePolicyKind = "NamespacePolicy";
    public const string NoticeKind = "RotationNotice";

    /// <summary>The name under which a namespace's single policy is stored (not a valid secret name, so it cannot clash).</summary>
    public const string NamespaceObject = "-";

    public static readonly TimeSpan DefaultRevokePreviousAfter = TimeSpan.FromHours(1);

    /// <summary>Once the operator says a rollout started, the previous credential waits this long at most for it to complete.</summary>
    public static readonly TimeSpan RolloutHold = TimeSpan.FromHours(24);

    private static readonly string[] Rotators = ["generate", "webhook", "postgres"];

    /// <summary>Namespace policies as last read; every write checks naming against one, so it is not read each time.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedPolicy> namespacePolicies = new(StringComparer.Ordinal);

    public async Task<RotationPolicyDocument?> GetSecretPolicyAsync(SecretAddress address, CancellationToken cancellationToken) =>
        await objects.GetAsync(SecretPolicyKind, address.Namespace, address.Name, cancellationToken).ConfigureAwait(false) is { } body
            ? JsonSerializer.Deserialize(body, RotationJsonContext.Default.RotationPolicyDocument)
            : null;

    public async Task<IReadOnlyDictionary<string, RotationPolicyDocument>> ListSecretPoliciesAsync(string @namespace, CancellationToken cancellationToken) =>
        (await objects.ListAsync(SecretPolicyKind, @namespace, cancellationToken).ConfigureAwait(false))
            .ToDictionary(o => o.Name, o => JsonSerializer.Deserialize(o.Body, RotationJsonContext.Default.RotationPolicyDocument)!, StringComparer.Ordinal);

    public Task<bool> PutSecretPolicyAsync(SecretAddress address, RotationPolicyDocument policy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Validate(policy);
        var stored = policy with { ApiVersion = null, Kind = null };
        return objects.PutAsync(SecretPolicyKind, address.Namespace, address.Name, JsonSerializer.Serialize(stored, RotationJsonContext.Default.RotationPolicyDocument), at, cancellationToken);
    }

    public Task<bool> DeleteSecretPolicyAsync(SecretAddress address, CancellationToken cancellationToken) =>
        objects.DeleteAsync(SecretPolicyKind, address.Namespace, address.Name, cancellationToken);

    /// <summary>
    /// The namespace's policy; read at most <see cref="Access.AccessPolicySource.MaxAge"/> ago, as RBAC is (a change made
    /// through this server shows at once, one made through another replica within that age).
    /// </summary>
    public async Task<NamespacePolicyDocument> GetNamespacePolicyAsync(string @namespace, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (namespacePolicies.TryGetValue(@namespace, out var cached) && now - cached.At < Access.AccessPolicySource.MaxAge)
        {
            return cached.Policy;
        }

        var policy = await objects.GetAsync(NamespacePolicyKind, @namespace, NamespaceObject, cancellationToken).ConfigureAwait(false) is { } body
            ? JsonSerializer.Deserialize(body, RotationJsonContext.Default.NamespacePolicyDocument)!
            : new NamespacePolicyDocument();
        namespacePolicies[@namespace] = new CachedPolicy(policy, now);
        return policy;
    }

    public async Task<bool> PutNamespacePolicyAsync(string @namespace, NamespacePolicyDocument policy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Validate(policy);
        var stored = policy with { ApiVersion = null, Kind = null };
        try
        {
            return await objects.PutAsync(NamespacePolicyKind, @namespace, NamespaceObject, JsonSerializer.Serialize(stored, RotationJsonContext.Default.NamespacePolicyDocument), at, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            namespacePolicies.TryRemove(@namespace, out _);
        }
    }

    public static TimeSpan PeriodOf(RotationPolicyDocument? secret, NamespacePolicyDocument ns) =>
        secret?.Period is { } period ? DurationText.Parse(period, "period")
        : ns.DefaultPeriod is { } fallback ? DurationText.Parse(fallback, "defaultPeriod")
        : RotationSchedule.DefaultPeriod;

    public static TimeSpan NotifyBeforeOf(NamespacePolicyDocument ns) =>
        ns.NotifyBefore is { } before ? DurationText.Parse(before, "notifyBefore") : RotationSchedule.DefaultNotifyBefore;

    public static TimeSpan RevokePreviousAfterOf(RotationPolicyDocument policy) =>
        policy.RevokePreviousAfter is { } grace ? DurationText.Parse(grace, "revokePreviousAfter") : DefaultRevokePreviousAfter;

    public static NamingPolicy? NamingOf(NamespacePolicyDocument ns) =>
        ns.Naming is { } naming ? new NamingPolicy(naming.NamePattern, naming.RequiredLabels ?? [], naming.RequiredAnnotations ?? [], naming.Mode == "enforce") : null;

    public static void Validate(RotationPolicyDocument policy)
    {
        CheckEnvelope(policy.ApiVersion, policy.Kind, "RotationPolicy");
        if (policy.Period is not null)
        {
            DurationText.Parse(policy.Period, "period");
        }

        if (policy.RevokePreviousAfter is not null)
        {
            DurationText.Parse(policy.RevokePreviousAfter, "revokePreviousAfter");
        }

        if (!Rotators.Contains(policy.Rotator))
        {
            throw CofferException.Invalid("InvalidRotationPolicy", $"rotator must be one of {string.Join(", ", Rotators)}", "rotator");
        }

        var generators = policy.Generate ?? [];
        if (generators.Count > 32)
        {
            throw CofferException.Invalid("InvalidRotationPolicy", "at most 32 generators", "generate");
        }

        for (var i = 0; i < generators.Count; i++)
        {
            SecretGeneration.Validate(generators[i], i);
        }

        switch (policy.Rotator)
        {
            case "generate" when generators.Count == 0:
                throw CofferException.Invalid("InvalidRotationPolicy", "the generate rotator needs at least one generator", "generate");
            case "webhook":
                if (generators.Count == 0)
                {
                    throw CofferException.Invalid("InvalidRotationPolicy", "the webhook rotator needs at least one generator", "generate");
                }

                CheckUrl(policy.Webhook?.Url, "webhook.url");
                break;
            case "postgres":
                var postgres = policy.Postgres ?? throw CofferException.Invalid("InvalidRotationPolicy", "the postgres rotator needs its postgres settings", "postgres");
                Core.Naming.KubernetesNames.ValidateName(postgres.ConnectionSecret);
                if (postgres.Strategy is not ("single" or "alternating"))
                {
                    throw CofferException.Invalid("InvalidRotationPolicy", "strategy must be single or alternating", "postgres.strategy");
                }

                if (postgres.Strategy == "alternating" && (postgres.Usernames is not { Count: 2 } names || names[0] == names[1] || names.Any(n => n.Length is 0 or > 63)))
                {
                    throw CofferException.Invalid("InvalidRotationPolicy", "the alternating strategy needs two different usernames of 1 to 63 characters", "postgres.usernames");
                }

                if (postgres.PasswordLength is < 16 or > 99)
                {
                    throw CofferException.Invalid("InvalidRotationPolicy", "passwordLength must be between 16 and 99", "postgres.passwordLength");
                }

                break;
            default:
                break;
        }
    }

    public static void Validate(NamespacePolicyDocument policy)
    {
        CheckEnvelope(policy.ApiVersion, policy.Kind, "NamespacePolicy");
        if (policy.DefaultPeriod is not null)
        {
            DurationText.Parse(policy.DefaultPeriod, "defaultPeriod");
        }

        if (policy.NotifyBefore is not null)
        {
            DurationText.Parse(policy.NotifyBefore, "notifyBefore");
        }

        if (policy.NotifyWebhook is not null)
        {
            CheckUrl(policy.NotifyWebhook, "notifyWebhook");
        }

        if (policy.Naming is { } naming)
        {
            if (naming.Mode is not ("enforce" or "warn"))
            {
                throw CofferException.Invalid("InvalidNamingPolicy", "mode must be enforce or warn", "naming.mode");
            }

            if ((naming.RequiredLabels?.Count ?? 0) + (naming.RequiredAnnotations?.Count ?? 0) > 64)
            {
                throw CofferException.Invalid("InvalidNamingPolicy", "at most 64 required labels and annotations", "naming.requiredLabels");
            }

            NamingOf(policy)!.Validate();
        }
    }

    /// <summary>HTTPS, or plain HTTP to a loopback address only: webhooks carry secret values.</summary>
    private static void CheckUrl(string? url, string field)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip)))))
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw CofferException.Invalid("InvalidUrl", $"{field} must be an https URL (http only on loopback) without credentials", field);
        }
    }

    private static void CheckEnvelope(string? apiVersion, string? kind, string expected) =>
        Secrets.SecretOperations.CheckEnvelope(apiVersion, kind, expected);

    private sealed record CachedPolicy(NamespacePolicyDocument Policy, DateTimeOffset At);
}
