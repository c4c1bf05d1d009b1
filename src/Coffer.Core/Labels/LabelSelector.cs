using Coffer.Core.Errors;

namespace Coffer.Core.Labels;

/// <summary>
/// A Kubernetes label selector: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a</c>, <c>!a</c>,
/// <c>a in (x,y)</c>, <c>a notin (x,y)</c>, comma-separated and all required.
/// </summary>
public sealed class LabelSelector
{
    public const int MaxLength = 4096;

    private readonly IReadOnlyList<Requirement> requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => this.requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEverything => requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        if (text.Length > MaxLength)
        {
            throw Fail($"must be at most {MaxLength} characters");
        }

        var result = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            result.Add(ParseRequirement(part.Trim()));
        }

        return new LabelSelector(result);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    if (depth < 0)
                    {
                        throw Fail("unbalanced parentheses");
                    }

                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
                default:
                    break;
            }
        }

        if (depth != 0)
        {
            throw Fail("unbalanced parentheses");
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static Requirement ParseRequirement(string part)
    {
        if (part.Length == 0)
        {
            throw Fail("empty requirement");
        }

        if (part[0] == '!')
        {
            return new Requirement(CheckKey(part[1..].Trim()), Operator.DoesNotExist, []);
        }

        var setMatch = part.IndexOf(" notin ", StringComparison.Ordinal) is var n and >= 0
            ? (Index: n, Op: Operator.NotIn, Length: 7)
            : part.IndexOf(" in ", StringComparison.Ordinal) is var i and >= 0
                ? (Index: i, Op: Operator.In, Length: 4)
                : (Index: -1, Op: Operator.Exists, Length: 0);
        if (setMatch.Index >= 0)
        {
            var key = CheckKey(part[..setMatch.Index].Trim());
            var values = part[(setMatch.Index + setMatch.Length)..].Trim();
            if (values.Length < 2 || values[0] != '(' || values[^1] != ')')
            {
                throw Fail("set values must be in parentheses");
            }

            var set = values[1..^1].Split(',').Select(v => CheckValue(v.Trim())).ToArray();
            return new Requirement(key, setMatch.Op, set);
        }

        foreach (var (token, op) in new[] { ("!=", Operator.NotEquals), ("==", Operator.Equals), ("=", Operator.Equals) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at >= 0)
            {
                return new Requirement(CheckKey(part[..at].Trim()), op, [CheckValue(part[(at + token.Length)..].Trim())]);
            }
        }

        return new Requirement(CheckKey(part), Operator.Exists, []);
    }

    private static string CheckKey(string key)
    {
        var rule = key.Length == 0 ? "must not be empty" : MetadataRules.CheckQualifiedName(key);
        return rule is null ? key : throw Fail($"key {rule}");
    }

    private static string CheckValue(string value)
    {
        var rule = MetadataRules.CheckLabelValue(value);
        return rule is null ? value : throw Fail($"value {rule}");
    }

    private static CofferException Fail(string message) =>
        CofferException.Invalid("InvalidLabelSelector", $"label selector {message}", "labelSelector");

    private enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var actual);
            return Op switch
            {
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                Operator.Equals or Operator.In => has && Values.Contains(actual!, StringComparer.Ordinal),
                Operator.NotEquals or Operator.NotIn => !has || !Values.Contains(actual!, StringComparer.Ordinal),
                _ => false,
            };
        }
    }
}
