using System.Text;

namespace Coffer.Crypto.Sealing;

/// <summary>The scope names, annotations and RSA-OAEP labels of Bitnami Sealed Secrets.</summary>
public static class SealingLabel
{
    public const string NamespaceWideAnnotation = "sealedsecrets.bitnami.com/namespace-wide";
    public const string ClusterWideAnnotation = "sealedsecrets.bitnami.com/cluster-wide";

    public static byte[] For(string @namespace, string name, SealingScope scope) => scope switch
    {
        SealingScope.ClusterWide => [],
        SealingScope.NamespaceWide => Encoding.UTF8.GetBytes(@namespace),
        _ => Encoding.UTF8.GetBytes($"{@namespace}/{name}"),
    };

    public static string NameOf(SealingScope scope) => scope switch
    {
        SealingScope.ClusterWide => "cluster-wide",
        SealingScope.NamespaceWide => "namespace-wide",
        _ => "strict",
    };

    public static SealingScope? TryParse(string? name) => name switch
    {
        null or "" or "strict" => SealingScope.Strict,
        "namespace-wide" => SealingScope.NamespaceWide,
        "cluster-wide" => SealingScope.ClusterWide,
        _ => null,
    };

    /// <summary>Cluster-wide wins over namespace-wide, as in the controller; anything but "true" means absent.</summary>
    public static SealingScope FromAnnotations(IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is null)
        {
            return SealingScope.Strict;
        }

        if (annotations.TryGetValue(ClusterWideAnnotation, out var cluster) && cluster == "true")
        {
            return SealingScope.ClusterWide;
        }

        return annotations.TryGetValue(NamespaceWideAnnotation, out var ns) && ns == "true" ? SealingScope.NamespaceWide : SealingScope.Strict;
    }
}
