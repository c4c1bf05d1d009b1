namespace Coffer.Kubernetes.Injection;

/// <summary>One secret the init container or sidecar writes: its keys become files under <c>out/alias/</c>.</summary>
internal sealed record FetchRequest(string Alias, string Namespace, string Name)
{
    /// <summary>Parses <c>alias=namespace/name</c>.</summary>
    public static FetchRequest Parse(string text)
    {
        var parts = text.Split('=', 2);
        var path = parts.Length == 2 ? parts[1].Split('/') : [];
        return path.Length == 2
            && Core.Naming.KubernetesNames.CheckDns1123Label(parts[0]) is null
            && Core.Naming.KubernetesNames.CheckDns1123Label(path[0]) is null
            && Core.Naming.KubernetesNames.CheckDns1123Subdomain(path[1]) is null
            ? new FetchRequest(parts[0], path[0], path[1])
            : throw new ArgumentException($"'{text}' is not alias=namespace/name");
    }
}
