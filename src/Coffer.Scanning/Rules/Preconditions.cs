using System.Buffers;

namespace Coffer.Scanning.Rules;

/// <summary>
/// Cheap tests a line must pass before a rule's regex runs on it, for built-in rules whose keywords are common words in
/// code (<c>password</c>, <c>sk</c>, <c>pat</c>). Each is a necessary condition of its rule's regex and filters, so it never
/// hides a finding; it only spares the regex engine the lines that cannot match.
/// </summary>
internal static class Preconditions
{
    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdefABCDEF");
    // Vectorised ignore-case searches (a plain ignore-case IndexOf is scalar in invariant mode).
    private static readonly SearchValues<string> Password = SearchValues.Create(["password"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> Pwd = SearchValues.Create(["pwd"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<char> Alnum = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>
    /// Some occurrence of <paramref name="prefix"/> (case-sensitive) is followed by at least <paramref name="length"/>
    /// characters of <paramref name="characters"/>, then <paramref name="next"/> if given.
    /// </summary>
    public static LineTest PrefixedRun(string prefix, SearchValues<char> characters, int length, char? next = null) => line =>
    {
        var rest = line;
        for (var at = rest.IndexOf(prefix, StringComparison.Ordinal); at >= 0; at = rest.IndexOf(prefix, StringComparison.Ordinal))
        {
            rest = rest[(at + prefix.Length)..];
            var run = rest.IndexOfAnyExcept(characters);
            run = run < 0 ? rest.Length : run;
            if (run >= length && (next is null || (run < rest.Length && rest[run] == next)))
            {
                return true;
            }
        }

        return false;
    };

    /// <summary><c>SK</c> and 32 hex digits.</summary>
    public static LineTest TwilioKey { get; } = PrefixedRun("SK", Hex, 32);

    /// <summary><c>sk_live_</c> and 24 letters or digits.</summary>
    public static LineTest StripeLiveKey { get; } = PrefixedRun("sk_live_", Alnum, 24);

    /// <summary><c>pat</c>, 14 letters or digits and a dot.</summary>
    public static LineTest AirtableToken { get; } = PrefixedRun("pat", Alnum, 14, '.');

    /// <summary>A line that starts, after white space, with <c>password:</c>.</summary>
    public static bool StartsWithPasswordKey(ReadOnlySpan<char> line) => line.TrimStart().StartsWith("password:", StringComparison.Ordinal);

    /// <summary><c>password</c> or <c>pwd</c> (any case) after a <c>;</c> and before a <c>=</c>, white space allowed around it.</summary>
    public static bool PasswordAfterSemicolon(ReadOnlySpan<char> line)
    {
        var span = line;
        for (var from = 0; from < span.Length;)
        {
            var rest = span[from..];
            var password = rest.IndexOfAny(Password);
            var pwd = rest.IndexOfAny(Pwd);
            var (at, length) = password >= 0 && (pwd < 0 || password <= pwd) ? (password, 8) : (pwd, 3);
            if (at < 0)
            {
                return false;
            }

            var before = span[..(from + at)].TrimEnd();
            var after = span[(from + at + length)..].TrimStart();
            if (before.EndsWith(';') && after.StartsWith('='))
            {
                return true;
            }

            from += at + 1;
        }

        return false;
    }

    /// <summary>
    /// A run of at least <paramref name="length"/> characters, none of them an ASCII character outside
    /// <paramref name="asciiClass"/>, holding an ASCII letter and digit: the generic rule reports only such secrets, and
    /// each lies within such a run. Any non-ASCII character continues a run, since a case-insensitive class can match
    /// some (the Kelvin sign matches <c>k</c>).
    /// </summary>
    public static LineTest RunWithLetterAndDigit(string asciiClass, int length)
    {
        var stops = SearchValues.Create(Enumerable.Range(0, 128).Select(c => (char)c).Where(c => !asciiClass.Contains(c, StringComparison.Ordinal)).ToArray());
        return line =>
        {
            var rest = line;
            while (true)
            {
                var start = rest.IndexOfAnyExcept(stops);
                if (start < 0)
                {
                    return false;
                }

                rest = rest[start..];
                var end = rest.IndexOfAny(stops);
                var run = end < 0 ? rest : rest[..end];
                if (run.Length >= length && run.IndexOfAnyInRange('0', '9') >= 0 && (run.IndexOfAnyInRange('a', 'z') >= 0 || run.IndexOfAnyInRange('A', 'Z') >= 0))
                {
                    return true;
                }

                if (end < 0)
                {
                    return false;
                }

                rest = rest[end..];
            }
        };
    }
}
