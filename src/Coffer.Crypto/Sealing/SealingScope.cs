namespace Coffer.Crypto.Sealing;

/// <summary>Where a sealed value may be unsealed, as in Bitnami Sealed Secrets; the scope picks the RSA-OAEP label.</summary>
public enum SealingScope
{
    /// <summary>Only as the Secret with this namespace and name; label "namespace/name".</summary>
    Strict,

    /// <summary>Under any name in this namespace; label "namespace".</summary>
    NamespaceWide,

    /// <summary>Anywhere; empty label.</summary>
    ClusterWide,
}
