using System.Text.RegularExpressions;

namespace Coffer.Scanning.Rules;

/// <summary>Builds and compiles rule regexes: the linear engine for any pattern, the bounded backtracking one for built-in rules.</summary>
public static class RulePattern
{
    /// <summary>The value of a token with a distinctive shape, delimited so it is not part of a longer word.</summary>
    public static string Token(string inner) => $"(?:^|[^0-9A-Za-z_-])({inner})(?:[^0-9A-Za-z_-]|$)";

    /// <summary>A secret assigned to a name matching <paramref name="key"/> (<c>key = "..."</c>, <c>key: ...</c>, <c>"key": "..."</c>).</summary>
    public static string Assigned(string key, string secret) =>
        $$"""(?i)(?:{{key}})(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|:{1,3}=|\|\||:|=>|\?=|,)[`'"\s=]{0,5}({{secret}})(?:[`'"\s;,]|\\[nrt]|$)""";

    /// <exception cref="ArgumentException">The pattern is not a valid regex or needs backtracking (lookarounds, backreferences).</exception>
    public static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException e)
        {
            throw new ArgumentException($"regex {pattern} cannot run in linear time: {e.Message}", nameof(pattern), e);
        }
    }

    /// <summary>The interpreter, stopped by <paramref name="limit"/>; only for built-in patterns, which the linear engine also accepts.</summary>
    internal static Regex CompileBacktracking(string pattern, TimeSpan limit) => new(pattern, RegexOptions.CultureInvariant, limit);
}
