using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Coffer.Kubernetes.Operator;

/// <summary>The native Secret a CofferSecret asks for, computed from the resource and the Coffer data alone (no I/O).</summary>
internal static partial class SecretProjection
{
    public const int MaxTemplateBytes = 64 * 1024;

    public static string SourceNamespace(CofferSecretResource resource) => resource.Spec?.Source?.Namespace ?? resource.Namespace;

    public static string SourceName(CofferSecretResource resource) =>
        resource.Spec?.Source?.Name is { Length: > 0 } name ? name : throw new ProjectionFailure("InvalidSpec", "spec.source.name is required");

    public static string CreationPolicy(CofferSecretResource resource) => resource.Spec?.Target?.CreationPolicy ?? CofferSecretNames.Owner;

    public static string DeletionPolicy(CofferSecretResource resource) => resource.Spec?.Target?.DeletionPolicy ?? CofferSecretNames.Delete;

    /// <summary>
    /// The Coffer login role the operator reads this resource's source with. A resource may only use its own
    /// namespace's roles (named after it, or prefixed "namespace-"), so one namespace cannot borrow another's.
    /// </summary>
    public static string Role(CofferSecretResource resource)
    {
        var role = resource.Spec?.Role is { Length: > 0 } named ? named : resource.Namespace;
        return role == resource.Namespace || role.StartsWith(resource.Namespace + "-", StringComparison.Ordinal)
            ? role
            : throw new ProjectionFailure("RoleNotAllowed", $"role {role} is not one of namespace {resource.Namespace}'s roles ({resource.Namespace} or {resource.Namespace}-*)");
    }

    /// <summary>The data the target must hold: the selected keys, or the rendered templates.</summary>
    public static Dictionary<string, byte[]> Data(CofferSecretResource resource, CofferSecretData source)
    {
        var selected = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in resource.Spec?.Source?.Keys ?? [.. source.Values.Keys])
        {
            selected[key] = source.Values.TryGetValue(key, out var value)
                ? value
                : throw new ProjectionFailure("KeyNotFound", $"key {key} is not in Coffer secret {source.Namespace}/{source.Name} version {source.Version}");
        }

        if (resource.Spec?.Target?.Template is not { Count: > 0 } template)
        {
            return selected;
        }

        var rendered = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (target, text) in template)
        {
            rendered[target] = Render(target, text, selected);
        }

        return rendered;
    }

    /// <summary>The whole desired Secret, labelled and annotated as the operator's.</summary>
    public static V1Secret Desired(CofferSecretResource resource, CofferSecretData source, string dataHash, Dictionary<string, byte[]> data)
    {
        var target = resource.Spec?.Target;
        var labels = new Dictionary<string, string>(target?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [CofferSecretNames.ManagedByLabel] = CofferSecretNames.ManagedByValue,
        };
        var annotations = new Dictionary<string, string>(target?.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [CofferSecretNames.OwnerAnnotation] = $"{resource.Namespace}/{resource.Name}",
            [CofferSecretNames.VersionAnnotation] = source.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [CofferSecretNames.HashAnnotation] = dataHash,
            [CofferSecretNames.CreationPolicyAnnotation] = CreationPolicy(resource),
            [CofferSecretNames.DeletionPolicyAnnotation] = DeletionPolicy(resource),
        };
        var metadata = new V1ObjectMeta { Name = resource.TargetName, NamespaceProperty = resource.Namespace, Labels = labels, Annotations = annotations };
        if (CreationPolicy(resource) == CofferSecretNames.Owner && resource.Metadata.Uid is { } uid)
        {
            metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = CofferSecretNames.ApiVersion, Kind = CofferSecretNames.Kind, Name = resource.Name, Uid = uid, BlockOwnerDeletion = true, Controller = true }];
        }

        return new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = metadata, Type = target?.Type ?? "Opaque", Data = data };
    }

    private static byte[] Render(string target, string text, Dictionary<string, byte[]> values)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxTemplateBytes)
        {
            throw new ProjectionFailure("InvalidTemplate", $"template {target} is longer than {MaxTemplateBytes} bytes");
        }

        if (Placeholder().Replace(text, string.Empty).Contains("{{", StringComparison.Ordinal))
        {
            throw new ProjectionFailure("InvalidTemplate", $"template {target} has a '{{{{' that is not a placeholder such as {{{{ .password }}}}");
        }

        var output = new StringBuilder();
        var last = 0;
        foreach (Match match in Placeholder().Matches(text))
        {
            output.Append(text, last, match.Index - last);
            var key = match.Groups["key"].Value;
            if (!values.TryGetValue(key, out var value))
            {
                throw new ProjectionFailure("TemplateKeyNotFound", $"template {target} uses key {key}, which the source does not have");
            }

            output.Append(Encoding.UTF8.GetString(value));
            last = match.Index + match.Length;
        }

        output.Append(text, last, text.Length - last);
        return Encoding.UTF8.GetBytes(output.ToString());
    }

    [GeneratedRegex(@"\{\{\s*\.?(?<key>[-._a-zA-Z0-9]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
