namespace Coffer.Kubernetes.Webhook;

/// <summary>The pod annotations that ask for injection.</summary>
internal static class InjectionAnnotations
{
    public const string Inject = "coffer.dev/inject";
    public const string Role = "coffer.dev/role";

    /// <summary><c>alias=namespace/name,...</c>: each secret's keys become files under <c>/coffer/secrets/alias/</c>.</summary>
    public const string Secrets = "coffer.dev/secrets";

    /// <summary>The containers that get the files; no other container sees them.</summary>
    public const string Containers = "coffer.dev/containers";

    /// <summary>"true": a sidecar keeps the files current (it watches Coffer and rewrites them).</summary>
    public const string Renew = "coffer.dev/renew";

    /// <summary>
    /// Prefix of <c>coffer.dev/env-CONTAINER: NAME=alias/key,...</c>: that container also gets those keys as environment
    /// variables, read from the files when it starts (its command is wrapped in /bin/sh). Asked for explicitly only.
    /// </summary>
    public const string EnvPrefix = "coffer.dev/env-";

    /// <summary>Set by the webhook, so a reinvocation does not inject twice.</summary>
    public const string Injected = "coffer.dev/injected";
}
