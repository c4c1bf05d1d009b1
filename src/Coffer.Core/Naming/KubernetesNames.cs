using System.Text.RegularExpressions;
using Coffer.Core.Errors;

namespace Coffer.Core.Naming;

/// <summary>Kubernetes' naming rules (k8s.io/apimachinery/pkg/util/validation).</summary>
public static partial class KubernetesNames
{
    public const int LabelMaxLength = 63;
    public const int SubdomainMaxLength = 253;

    /// <summary>Returns the rule a DNS-1123 label breaks, or null when it is valid.</summary>
    public static string? CheckDns1123Label(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "must not be empty";
        }

        if (value.Length > LabelMaxLength)
        {
            return $"must be no more than {LabelMaxLength} characters (DNS-1123 label)";
        }

        return Dns1123Label().IsMatch(value)
            ? null
            : "must be a DNS-1123 label: lower case alphanumeric characters or '-', starting and ending with an alphanumeric character (regex [a-z0-9]([-a-z0-9]*[a-z0-9])?)";
    }

    /// <summary>Returns the rule a DNS-1123 subdomain breaks, or null when it is valid.</summary>
    public static string? CheckDns1123Subdomain(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "must not be empty";
        }

        if (value.Length > SubdomainMaxLength)
        {
            return $"must be no more than {SubdomainMaxLength} characters (DNS-1123 subdomain)";
        }

        return Dns1123Subdomain().IsMatch(value)
            ? null
            : "must be a DNS-1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (regex [a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)";
    }

    public static void ValidateNamespace(string? value, string field = "metadata.namespace")
    {
        var rule = CheckDns1123Label(value);
        if (rule is not null)
        {
            throw CofferException.Invalid("InvalidName", $"namespace {rule}", field);
        }
    }

    public static void ValidateName(string? value, string field = "metadata.name")
    {
        var rule = CheckDns1123Subdomain(value);
        if (rule is not null)
        {
            throw CofferException.Invalid("InvalidName", $"name {rule}", field);
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();
}
