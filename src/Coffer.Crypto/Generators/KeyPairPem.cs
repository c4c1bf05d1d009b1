namespace Coffer.Crypto.Generators;

/// <summary>A private key as PKCS#8 PEM and its public key as SubjectPublicKeyInfo PEM.</summary>
public sealed record KeyPairPem(string PrivateKey, string PublicKey);
