namespace Coffer.Crypto.Generators;

public enum KeyAlgorithm
{
    Rsa,
    Ecdsa,
    Ed25519,
}
