namespace Coffer.Scanning.Rules;

/// <summary>Deterministic random-looking strings for rule samples, so no real credential is ever checked in.</summary>
internal static class SampleSecret
{
    public static string Alnum(int length) => Of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", length);

    public static string Hex(int length) => Of("0123456789abcdef", length);

    public static string Upper(int length) => Of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", length);

    public static string Lower(int length) => Of("0123456789abcdefghijklmnopqrstuvwxyz", length);

    public static string Letters(int length) => Of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", length);

    public static string Base32(int length) => Of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", length);

    public static string Base64(int length) => Of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", length);

    public static string Base64Url(int length) => Of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length - 2) + "-_";

    public static string Digits(int length) => Of("0123456789", length);

    public static string Uuid() => $"{Hex(8)}-{Hex(4)}-4{Hex(3)}-a{Hex(3)}-{Hex(12)}";

    private static string Of(string alphabet, int length)
    {
        // xorshift seeded by the request, so a sample is stable across runs but differs between alphabets and lengths.
        var state = (uint)(length * 2654435761u) ^ (uint)alphabet.Length * 40503u ^ 0x9E3779B9u;
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            chars[i] = alphabet[(int)(state % (uint)alphabet.Length)];
        }

        return new string(chars);
    }
}
