using System.Security.Cryptography;

namespace Coffer.Core.Generators;

/// <summary>Passwords from <see cref="RandomNumberGenerator"/> only: one character of each class, the rest from all of them, shuffled.</summary>
public static class PasswordGenerator
{
    public static string Generate(PasswordPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var classes = policy.Classes();
        var all = string.Concat(classes).Distinct().ToArray();
        var characters = new char[policy.Length];
        for (var i = 0; i < classes.Count; i++)
        {
            characters[i] = classes[i][RandomNumberGenerator.GetInt32(classes[i].Length)];
        }

        RandomNumberGenerator.GetItems<char>(all, characters.AsSpan(classes.Count));
        RandomNumberGenerator.Shuffle(characters.AsSpan());
        try
        {
            return new string(characters);
        }
        finally
        {
            Array.Clear(characters);
        }
    }
}
