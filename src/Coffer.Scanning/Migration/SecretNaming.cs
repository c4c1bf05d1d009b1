using System.Text;
using System.Text.RegularExpressions;
using Coffer.Scanning.Linting;

namespace Coffer.Scanning.Migration;

/// <summary>Names a migrated secret by the convention <c>coffer lint</c> checks: <c>&lt;app&gt;-&lt;kind&gt;-v&lt;version&gt;</c>.</summary>
internal static partial class SecretNaming
{
    private const int MaxBaseLength = 240;

    /// <summary>A name that already follows the convention stays; otherwise the app (if known and not already there) is put first and <c>-v1</c> last.</summary>
    public static string Conventional(string name, string? app)
    {
        if (Convention().IsMatch(name))
        {
            return name;
        }

        var baseName = Sanitize(name);
        var prefix = app is null ? string.Empty : Sanitize(app);
        if (prefix.Length > 0 && baseName != prefix && !baseName.StartsWith(prefix + "-", StringComparison.Ordinal))
        {
            baseName = $"{prefix}-{baseName}";
        }

        if (!baseName.Contains('-', StringComparison.Ordinal))
        {
            baseName += "-secret";
        }

        return baseName[..Math.Min(baseName.Length, MaxBaseLength)].TrimEnd('-') + "-v1";
    }

    /// <summary>Lower case, runs of anything but letters and digits as one dash, no dash at either end.</summary>
    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var sanitized = builder.ToString().Trim('-');
        return sanitized.Length == 0 ? "secret" : sanitized;
    }

    [GeneratedRegex(LintOptions.DefaultSecretNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex Convention();
}
