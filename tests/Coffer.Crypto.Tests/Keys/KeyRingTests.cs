using System.Security.Cryptography;
using Coffer.Crypto.Keys;

namespace Coffer.Crypto.Tests.Keys;

public sealed class KeyRingTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rotate_AddsNewCurrentKeyAndNextGeneration()
    {
        var ring = KeyRing.CreateNew(At);
        var rotated = ring.Rotate(At.AddDays(1));
        Assert.Equal(2, rotated.Current.Id);
        Assert.Equal(2, rotated.Generation);
        Assert.NotNull(rotated.Find(1));
        Assert.Equal(1, ring.Current.Id);
    }

    [Fact]
    public void Retire_OldKey_DropsMaterialKeepsRecord()
    {
        var ring = KeyRing.CreateNew(At).Rotate(At).Retire(1, At);
        Assert.True(ring.Find(1)!.IsRetired);
        Assert.Equal(At, ring.Find(1)!.RetiredAt);
        Assert.Throws<InvalidOperationException>(() => ring.Retire(2, At));
    }

    [Fact]
    public void ProtectUnprotect_RoundTripsKeys()
    {
        var root = RandomNumberGenerator.GetBytes(32);
        var ring = KeyRing.CreateNew(At).Rotate(At).Retire(1, At);
        var restored = KeyRingProtector.Unprotect(KeyRingProtector.Protect(ring, root), root);
        Assert.Equal(ring.Generation, restored.Generation);
        Assert.Equal(ring.Keys.Select(k => (k.Id, k.IsRetired, k.CreatedAt)), restored.Keys.Select(k => (k.Id, k.IsRetired, k.CreatedAt)));
        Assert.Equal(ring.Current.Material, restored.Current.Material);
    }

    [Fact]
    public void Unprotect_WrongRootKey_Throws()
    {
        var blob = KeyRingProtector.Protect(KeyRing.CreateNew(At), RandomNumberGenerator.GetBytes(32));
        Assert.ThrowsAny<CryptographicException>(() => KeyRingProtector.Unprotect(blob, RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public void Unprotect_TamperedOrRelabelledBlob_Throws()
    {
        var root = RandomNumberGenerator.GetBytes(32);
        var blob = KeyRingProtector.Protect(KeyRing.CreateNew(At), root);
        var tampered = (byte[])blob.Clone();
        tampered[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => KeyRingProtector.Unprotect(tampered, root));
        var relabelled = (byte[])blob.Clone();
        relabelled[12] ^= 1; // generation in the header is authenticated
        Assert.ThrowsAny<CryptographicException>(() => KeyRingProtector.Unprotect(relabelled, root));
        Assert.ThrowsAny<CryptographicException>(() => KeyRingProtector.Unprotect(blob.AsSpan(0, 10), root));
    }

    [Fact]
    public void Protect_KeyMaterialNotInBlob()
    {
        var root = RandomNumberGenerator.GetBytes(32);
        var ring = KeyRing.CreateNew(At);
        var blob = KeyRingProtector.Protect(ring, root);
        Assert.Equal(-1, blob.AsSpan().IndexOf(ring.Current.Material));
    }

    [Fact]
    public void Destroy_ZeroesMaterial()
    {
        var ring = KeyRing.CreateNew(At);
        var material = ring.Current.Material!;
        ring.Destroy();
        Assert.All(material, b => Assert.Equal(0, b));
    }
}
