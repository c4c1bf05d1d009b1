using Coffer.Core.Naming;

namespace Coffer.Core.Secrets;

/// <summary>Where a secret lives: <c>namespace/name</c>, both validated on creation.</summary>
public sealed record SecretAddress
{
    public SecretAddress(string @namespace, string name)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        KubernetesNames.ValidateName(name);
        Namespace = @namespace;
        Name = name;
    }

    public string Namespace { get; }

    public string Name { get; }

    public override string ToString() => $"{Namespace}/{Name}";
}
