using System.Globalization;
using System.Text.RegularExpressions;
using Coffer.Scanning.Detection;
using Coffer.Scanning.Rules;
using Tomlyn;
using Tomlyn.Model;

namespace Coffer.Scanning.Configuration;

/// <summary>Reads a gitleaks-compatible TOML file: <c>[[rules]]</c>, <c>[allowlist]</c> / <c>[[allowlists]]</c> and <c>[extend] useDefault</c>.</summary>
public static class ScanConfigLoader
{
    /// <summary>Files looked for in a folder when no <c>--config</c> is given, in order.</summary>
    public static IReadOnlyList<string> DefaultFileNames { get; } = [".coffer-scan.toml", ".gitleaks.toml"];

    public static async Task<RuleSet> LoadFileAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScanConfigException($"config {path}: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Without <c>[[rules]]</c> the defaults apply; with them, only they do unless <c>[extend] useDefault = true</c>.</summary>
    public static RuleSet Parse(string text, string source)
    {
        TomlTable document;
        try
        {
            document = TomlSerializer.Deserialize(text, ScanConfigTomlContext.Default.TomlTable) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            throw new ScanConfigException($"config {source} is not valid TOML: {e.Message}", e);
        }

        try
        {
            var custom = Tables(document, "rules").Select((table, index) => ParseRule(table, index)).ToList();
            var useDefault = custom.Count == 0 || (document.TryGetValue("extend", out var extend) && extend is TomlTable e && e.TryGetValue("useDefault", out var u) && u is true);
            var rules = new List<DetectionRule>();
            if (useDefault)
            {
                var overridden = custom.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
                rules.AddRange(DefaultRules.All.Where(r => !overridden.Contains(r.Id)));
            }

            // Custom rules go first so they claim a secret before a default or generic rule does.
            rules.InsertRange(0, custom);
            var allowlist = Allowlist.Empty;
            if (document.TryGetValue("allowlist", out var single) && single is TomlTable singleTable)
            {
                allowlist = allowlist.Merge(ParseAllowlist(singleTable, "allowlist"));
            }

            foreach (var table in Tables(document, "allowlists"))
            {
                allowlist = allowlist.Merge(ParseAllowlist(table, "allowlists"));
            }

            return new RuleSet(rules, allowlist);
        }
        catch (ScanConfigException e)
        {
            throw new ScanConfigException($"config {source}: {e.Message}", e);
        }
    }

    private static DetectionRule ParseRule(TomlTable table, int index)
    {
        var id = String(table, "id") ?? throw new ScanConfigException($"rule {index + 1} has no id");
        var regex = String(table, "regex") ?? throw new ScanConfigException($"rule {id} has no regex");
        DetectionRule rule;
        try
        {
            rule = new DetectionRule(id, String(table, "description") ?? id, Strings(table, "keywords"), regex, string.Empty, string.Empty);
            rule.Matcher.Prepare();
        }
        catch (ArgumentException e)
        {
            throw new ScanConfigException($"rule {id} has an invalid regex: {e.InnerException?.Message ?? e.Message}", e);
        }

        Allowlist? allowlist = null;
        if (table.TryGetValue("allowlist", out var one) && one is TomlTable oneTable)
        {
            allowlist = ParseAllowlist(oneTable, $"rule {id} allowlist");
        }

        foreach (var more in Tables(table, "allowlists"))
        {
            allowlist = (allowlist ?? Allowlist.Empty).Merge(ParseAllowlist(more, $"rule {id} allowlists"));
        }

        return rule with
        {
            Entropy = Number(table, "entropy"),
            SecretGroup = Number(table, "secretGroup") is { } group ? (int)group : null,
            Allowlist = allowlist,
        };
    }

    private static Allowlist ParseAllowlist(TomlTable table, string where) =>
        new(Regexes(table, "paths", where), Regexes(table, "regexes", where), Strings(table, "stopwords"));

    private static List<Regex> Regexes(TomlTable table, string key, string where) =>
        Strings(table, key).Select(pattern =>
        {
            try
            {
                return RulePattern.Compile(pattern);
            }
            catch (ArgumentException e)
            {
                throw new ScanConfigException($"{where}.{key} has an invalid regex: {e.InnerException?.Message ?? e.Message}", e);
            }
        }).ToList();

    private static IEnumerable<TomlTable> Tables(TomlTable table, string key) => table.TryGetValue(key, out var value) switch
    {
        true when value is TomlTableArray array => array,
        true when value is TomlArray array => array.OfType<TomlTable>(),
        true => throw new ScanConfigException($"{key} must be an array of tables"),
        false => [],
    };

    private static string? String(TomlTable table, string key) => table.TryGetValue(key, out var value) switch
    {
        true when value is string text => text,
        true => throw new ScanConfigException($"{key} must be a string"),
        false => null,
    };

    private static List<string> Strings(TomlTable table, string key) => table.TryGetValue(key, out var value) switch
    {
        true when value is TomlArray array && array.All(v => v is string) => [.. array.Cast<string>()],
        true => throw new ScanConfigException($"{key} must be an array of strings"),
        false => [],
    };

    private static double? Number(TomlTable table, string key) => table.TryGetValue(key, out var value) switch
    {
        true when value is long or double or int => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        true => throw new ScanConfigException($"{key} must be a number"),
        false => null,
    };
}
