using System.Text.RegularExpressions;
using Coffer.Core.Errors;
using Coffer.Core.Naming;

namespace Coffer.Core.Labels;

/// <summary>Kubernetes' syntax rules for label and annotation keys and values.</summary>
public static partial class MetadataRules
{
    public const int QualifiedNameMaxLength = 63;
    public const int LabelValueMaxLength = 63;
    public const int AnnotationsMaxBytes = 256 * 1024;

    /// <summary>Returns the rule a qualified name (label or annotation key) breaks, or null.</summary>
    public static string? CheckQualifiedName(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = key;
        if (slash >= 0)
        {
            var prefix = key[..slash];
            name = key[(slash + 1)..];
            if (prefix.Length == 0)
            {
                return "prefix part must not be empty";
            }

            var prefixRule = KubernetesNames.CheckDns1123Subdomain(prefix);
            if (prefixRule is not null)
            {
                return $"prefix part {prefixRule}";
            }
        }

        if (name.Length == 0)
        {
            return "name part must not be empty";
        }

        if (name.Length > QualifiedNameMaxLength)
        {
            return $"name part must be no more than {QualifiedNameMaxLength} characters";
        }

        return QualifiedName().IsMatch(name)
            ? null
            : "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    }

    /// <summary>Returns the rule a label value breaks, or null.</summary>
    public static string? CheckLabelValue(string value)
    {
        if (value.Length > LabelValueMaxLength)
        {
            return $"must be no more than {LabelValueMaxLength} characters";
        }

        return value.Length == 0 || QualifiedName().IsMatch(value)
            ? null
            : "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    }

    public static void ValidateLabels(IReadOnlyDictionary<string, string> labels, string field = "metadata.labels")
    {
        foreach (var (key, value) in labels)
        {
            var keyRule = CheckQualifiedName(key);
            if (keyRule is not null)
            {
                throw CofferException.Invalid("InvalidLabel", $"label key {keyRule}", $"{field}[{key}]");
            }

            var valueRule = CheckLabelValue(value);
            if (valueRule is not null)
            {
                throw CofferException.Invalid("InvalidLabel", $"label value {valueRule}", $"{field}[{key}]");
            }
        }
    }

    public static void ValidateAnnotations(IReadOnlyDictionary<string, string> annotations, string field = "metadata.annotations")
    {
        long total = 0;
        foreach (var (key, value) in annotations)
        {
            var keyRule = CheckQualifiedName(key);
            if (keyRule is not null)
            {
                throw CofferException.Invalid("InvalidAnnotation", $"annotation key {keyRule}", $"{field}[{key}]");
            }

            total += System.Text.Encoding.UTF8.GetByteCount(key) + System.Text.Encoding.UTF8.GetByteCount(value);
        }

        if (total > AnnotationsMaxBytes)
        {
            throw new CofferException(ErrorKind.Invalid, "InvalidAnnotation", $"annotations must have at most {AnnotationsMaxBytes} bytes in total", field);
        }
    }

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedName();
}
