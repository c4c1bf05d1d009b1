using Coffer.Core.Errors;

namespace Coffer.Core.Generators;

/// <summary>What a generated password is made of; every enabled class appears at least once.</summary>
public sealed record PasswordPolicy(
    int Length = 32,
    bool Lowercase = true,
    bool Uppercase = true,
    bool Digits = true,
    bool Symbols = true,
    string? Exclude = null)
{
    public const int MinLength = 8;
    public const int MaxLength = 1024;
    public const string LowercaseCharacters = "abcdefghijklmnopqrstuvwxyz";
    public const string UppercaseCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string DigitCharacters = "0123456789";
    public const string SymbolCharacters = "!#$%&()*+,-./:;<=>?@[]^_{|}~";

    /// <summary>The enabled classes less the excluded characters; Invalid if the policy cannot be met.</summary>
    public IReadOnlyList<string> Classes()
    {
        if (Length is < MinLength or > MaxLength)
        {
            throw CofferException.Invalid("InvalidPasswordPolicy", $"length must be between {MinLength} and {MaxLength}", "length");
        }

        var classes = new List<string>();
        foreach (var (enabled, characters, name) in new[]
        {
            (Lowercase, LowercaseCharacters, "lowercase"),
            (Uppercase, UppercaseCharacters, "uppercase"),
            (Digits, DigitCharacters, "digits"),
            (Symbols, SymbolCharacters, "symbols"),
        })
        {
            if (!enabled)
            {
                continue;
            }

            var left = new string(characters.Where(c => Exclude is null || !Exclude.Contains(c, StringComparison.Ordinal)).ToArray());
            if (left.Length == 0)
            {
                throw CofferException.Invalid("InvalidPasswordPolicy", $"exclude removes every character of the {name} class", "exclude");
            }

            classes.Add(left);
        }

        if (classes.Count == 0)
        {
            throw CofferException.Invalid("InvalidPasswordPolicy", "at least one character class must be enabled", "lowercase");
        }

        if (classes.Count > Length)
        {
            throw CofferException.Invalid("InvalidPasswordPolicy", "length is shorter than the number of required character classes", "length");
        }

        return classes;
    }
}
