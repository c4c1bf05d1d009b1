using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Core.Secrets;
using Coffer.Crypto.Envelope;
using Coffer.Crypto.Keys;

namespace Coffer.Crypto.Tests.Envelope;

public sealed class EnvelopeCipherTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly SecretAddress Db = new("default", "db");
    private static readonly byte[] Plaintext = "correct horse battery staple"u8.ToArray();

    [Fact]
    public void SealOpen_RoundTrip_ReturnsPlaintext()
    {
        var ring = KeyRing.CreateNew(At);
        var payload = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        Assert.Equal(ring.Current.Id, payload.KeyId);
        Assert.Equal(Plaintext, EnvelopeCipher.Open(ring, Db, 1, payload));
        Assert.Equal(-1, payload.Ciphertext.AsSpan().IndexOf(Plaintext));
    }

    [Fact]
    public async Task SealOpen_ManyThreadsSharingTheKeysCiphers_EachGetsItsOwnPlaintext()
    {
        var ring = KeyRing.CreateNew(At);
        var work = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var address = new SecretAddress("default", $"s{t}");
                var plaintext = BitConverter.GetBytes((t * 1000) + i);
                var payload = EnvelopeCipher.Seal(ring, address, i + 1, plaintext);
                Assert.Equal(plaintext, EnvelopeCipher.Open(ring, address, i + 1, payload));
            }
        }));
        await Task.WhenAll(work);
    }

    [Fact]
    public void Open_MoreVersionsThanTheCacheHolds_EachStillOpens_CacheStaysBounded()
    {
        var ring = KeyRing.CreateNew(At);
        var payloads = Enumerable.Range(1, DataKeyCache.Capacity + 200).Select(v => EnvelopeCipher.Seal(ring, Db, v, BitConverter.GetBytes(v))).ToList();

        for (var round = 0; round < 2; round++)
        {
            for (var v = 1; v <= payloads.Count; v++)
            {
                Assert.Equal(BitConverter.GetBytes(v), EnvelopeCipher.Open(ring, Db, v, payloads[v - 1]));
            }
        }

        Assert.InRange(ring.Current.DataKeys.Count, 1, DataKeyCache.Capacity);
    }

    [Fact]
    public void Open_AfterTheRingIsDestroyed_FailsEvenWithCiphersOnceSetUp()
    {
        var ring = KeyRing.CreateNew(At);
        var payload = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        Assert.Equal(Plaintext, EnvelopeCipher.Open(ring, Db, 1, payload));

        ring.Destroy();

        Assert.Throws<CryptographicException>(() => EnvelopeCipher.Open(ring, Db, 1, payload));
        Assert.Throws<CryptographicException>(() => EnvelopeCipher.Seal(ring, Db, 2, Plaintext));
    }

    [Fact]
    public void Seal_SameDataTwice_DifferentKeysAndCiphertexts()
    {
        var ring = KeyRing.CreateNew(At);
        var a = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        var b = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        Assert.NotEqual(a.Ciphertext, b.Ciphertext);
        Assert.NotEqual(a.WrappedKey, b.WrappedKey);
    }

    [Theory]
    [InlineData("other", "db", 1)]
    [InlineData("default", "db2", 1)]
    [InlineData("default", "db", 2)]
    public void Open_MovedToAnotherRecord_Fails(string ns, string name, long version)
    {
        var ring = KeyRing.CreateNew(At);
        var payload = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        // Read where it belongs first, so its data key's ciphers are kept: the move must fail all the same.
        Assert.Equal(Plaintext, EnvelopeCipher.Open(ring, Db, 1, payload));
        Assert.ThrowsAny<CryptographicException>(() => EnvelopeCipher.Open(ring, new SecretAddress(ns, name), version, payload));
    }

    [Fact]
    public void Open_NamespaceNameBoundaryShift_Fails()
    {
        // "ab"/"c" and "a"/"bc" must not share associated data.
        var ring = KeyRing.CreateNew(At);
        var payload = EnvelopeCipher.Seal(ring, new SecretAddress("ab", "c"), 1, Plaintext);
        Assert.ThrowsAny<CryptographicException>(() => EnvelopeCipher.Open(ring, new SecretAddress("a", "bc"), 1, payload));
    }

    [Fact]
    public void Open_TamperedCiphertextOrWrappedKey_Fails()
    {
        var ring = KeyRing.CreateNew(At);
        var payload = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        Assert.Equal(Plaintext, EnvelopeCipher.Open(ring, Db, 1, payload));
        var data = (byte[])payload.Ciphertext.Clone();
        data[10] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => EnvelopeCipher.Open(ring, Db, 1, payload with { Ciphertext = data }));
        var wrapped = (byte[])payload.WrappedKey.Clone();
        wrapped[^3] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => EnvelopeCipher.Open(ring, Db, 1, payload with { WrappedKey = wrapped }));
    }

    [Fact]
    public void Open_KeyIdRelabelled_Fails()
    {
        var ring = KeyRing.CreateNew(At).Rotate(At);
        var payload = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        var wrapped = (byte[])payload.WrappedKey.Clone();
        BinaryPrimitives.WriteInt32BigEndian(wrapped.AsSpan(5), 1);
        Assert.ThrowsAny<CryptographicException>(() => EnvelopeCipher.Open(ring, Db, 1, payload with { KeyId = 1, WrappedKey = wrapped }));
    }

    [Fact]
    public void Open_AfterRotation_OldVersionsStillDecrypt_NewUseNewKey()
    {
        var ring = KeyRing.CreateNew(At);
        var old = EnvelopeCipher.Seal(ring, Db, 1, Plaintext);
        var rotated = ring.Rotate(At);
        var fresh = EnvelopeCipher.Seal(rotated, Db, 2, Plaintext);
        Assert.Equal(1, old.KeyId);
        Assert.Equal(2, fresh.KeyId);
        Assert.Equal(Plaintext, EnvelopeCipher.Open(rotated, Db, 1, old));
    }

    [Fact]
    public void Rewrap_MovesToCurrentKey_DataUnchanged_RetiredKeyNoLongerNeeded()
    {
        var ring = KeyRing.CreateNew(At);
        var old = EnvelopeCipher.Seal(ring, Db, 3, Plaintext);
        var rotated = ring.Rotate(At);
        var rewrapped = EnvelopeCipher.Rewrap(rotated, Db, 3, old);
        Assert.Equal(2, rewrapped.KeyId);
        Assert.Equal(old.Ciphertext, rewrapped.Ciphertext);
        var retired = rotated.Retire(1, At);
        Assert.Equal(Plaintext, EnvelopeCipher.Open(retired, Db, 3, rewrapped));
        Assert.ThrowsAny<CryptographicException>(() => EnvelopeCipher.Open(retired, Db, 3, old));
    }
}
