using Coffer.Core.Errors;
using Coffer.Core.Generators;

namespace Coffer.Core.Tests.Generators;

public sealed class PasswordGeneratorTests
{
    [Fact]
    public void Generate_DefaultPolicy_HasLengthAndEveryClass()
    {
        for (var i = 0; i < 200; i++)
        {
            var password = PasswordGenerator.Generate(new PasswordPolicy());
            Assert.Equal(32, password.Length);
            Assert.Contains(password, char.IsAsciiLetterLower);
            Assert.Contains(password, char.IsAsciiLetterUpper);
            Assert.Contains(password, char.IsAsciiDigit);
            Assert.Contains(password, c => PasswordPolicy.SymbolCharacters.Contains(c, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Generate_ExcludedCharacters_NeverAppear()
    {
        var policy = new PasswordPolicy(Length: 64, Symbols: false, Exclude: "0O1lI");
        for (var i = 0; i < 200; i++)
        {
            var password = PasswordGenerator.Generate(policy);
            Assert.DoesNotContain(password, c => "0O1lI".Contains(c, StringComparison.Ordinal));
            Assert.DoesNotContain(password, c => PasswordPolicy.SymbolCharacters.Contains(c, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Generate_ManyPasswords_AreDistinctAndUseTheWholeAlphabet()
    {
        var passwords = Enumerable.Range(0, 500).Select(_ => PasswordGenerator.Generate(new PasswordPolicy(Length: 16, Symbols: false, Uppercase: false))).ToList();
        Assert.Equal(passwords.Count, passwords.Distinct(StringComparer.Ordinal).Count());
        var seen = passwords.SelectMany(p => p).ToHashSet();
        Assert.Equal(36, seen.Count);
    }

    [Theory]
    [InlineData(7, true, true, true, true, null, "length")]
    [InlineData(1025, true, true, true, true, null, "length")]
    [InlineData(16, false, false, false, false, null, "lowercase")]
    [InlineData(16, false, false, true, false, "0123456789", "exclude")]
    public void Generate_UnsatisfiablePolicy_IsRejectedWithTheField(int length, bool lower, bool upper, bool digits, bool symbols, string? exclude, string field)
    {
        var error = Assert.Throws<CofferException>(() => PasswordGenerator.Generate(new PasswordPolicy(length, lower, upper, digits, symbols, exclude)));
        Assert.Equal("InvalidPasswordPolicy", error.Reason);
        Assert.Equal(field, error.Field);
    }
}
