using System.Text.Json.Nodes;

namespace Coffer.Kubernetes.Sealing;

/// <param name="Secret">The native Secret to create or update; null when refused.</param>
/// <param name="Status">The SealedSecret's status: a Synced condition saying why, and the observed generation.</param>
public sealed record SealedSecretConversion(JsonObject? Secret, JsonObject Status)
{
    public bool Succeeded => Secret is not null;
}
