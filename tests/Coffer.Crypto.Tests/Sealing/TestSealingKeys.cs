using Coffer.Crypto.Sealing;

namespace Coffer.Crypto.Tests.Sealing;

/// <summary>RSA-4096 generation takes seconds: the tests share a few keys.</summary>
internal static class TestSealingKeys
{
    public static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<SealingKey> First = new(() => SealingKey.Generate(Created));
    private static readonly Lazy<SealingKey> Second = new(() => SealingKey.Generate(Created.AddDays(30)));

    public static SealingKey Key => First.Value;

    public static SealingKey Renewed => Second.Value;
}
