using Coffer.Crypto.Sealing;

namespace Coffer.Kubernetes.Tests.Sealing;

/// <summary>RSA-4096 generation takes seconds: one key pair and one renewed pair per test run.</summary>
internal static class SealingFixture
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<SealingKey> First = new(() => SealingKey.Generate(Now.AddDays(-40)));
    private static readonly Lazy<SealingKey> Second = new(() => SealingKey.Generate(Now.AddDays(-10)));

    public static SealingKey OldKey => First.Value;

    public static SealingKey Key => Second.Value;

    public static SealingKeySet Keys => new([OldKey, Key]);
}
