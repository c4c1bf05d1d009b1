namespace Coffer.Scanning.Detection;

/// <summary>Values that stand for a secret in docs and templates rather than being one.</summary>
public static class Placeholders
{
    private static readonly string[] Fragments = ["${", "{{", "}}", "<", ">", "xxxx", "****", "...", "example", "changeme", "change_me", "placeholder", "your_", "your-", "yourkey", "redacted", "dummy", "sample", "insert"];

    private static readonly HashSet<string> WholeValues = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "secret", "token", "pass", "test", "null", "none", "true", "false", "undefined", "admin", "root", "string",
    };

    public static bool IsPlaceholder(string secret)
    {
        if (WholeValues.Contains(secret) || Fragments.Any(f => secret.Contains(f, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // One repeated character ("aaaaaaaa", "0000-0000") is filler, never a real key.
        var significant = secret.Where(char.IsLetterOrDigit).ToArray();
        return significant.Length == 0 || significant.AsSpan().IndexOfAnyExcept(significant[0]) < 0;
    }
}
