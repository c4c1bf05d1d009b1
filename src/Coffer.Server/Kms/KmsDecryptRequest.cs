namespace Coffer.Server.Kms;

/// <param name="Ciphertext">A wrapped data key, base64.</param>
internal sealed record KmsDecryptRequest(string? Ciphertext, string? KeyId);
