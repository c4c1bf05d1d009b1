using System.Buffers;

namespace Coffer.Scanning.Detection;

/// <summary>Values that stand for a secret in docs and templates rather than being one.</summary>
public static class Placeholders
{
    private static readonly string[] Fragments = ["${", "{{", "}}", "<", ">", "xxxx", "****", "...", "example", "changeme", "change_me", "placeholder", "your_", "your-", "yourkey", "redacted", "dummy", "sample", "insert"];

    // One vectorised search for all fragments (an ignore-case Contains per fragment is a scalar loop in invariant mode).
    private static readonly SearchValues<string> FragmentSearch = SearchValues.Create(Fragments, StringComparison.OrdinalIgnoreCase);

    private static readonly HashSet<string> WholeValues = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "secret", "token", "pass", "test", "null", "none", "true", "false", "undefined", "admin", "root", "string",
    };

    public static bool IsPlaceholder(string secret)
    {
        if (WholeValues.Contains(secret) || secret.AsSpan().ContainsAny(FragmentSearch))
        {
            return true;
        }

        // One repeated character ("aaaaaaaa", "0000-0000") is filler, never a real key.
        char? first = null;
        foreach (var c in secret)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (first is null)
                {
                    first = c;
                }
                else if (c != first)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
