namespace Coffer.Server.Kms;

/// <param name="Ciphertext">The wrapped data key, base64.</param>
internal sealed record KmsEncryptResponse(string Ciphertext, string KeyId);
