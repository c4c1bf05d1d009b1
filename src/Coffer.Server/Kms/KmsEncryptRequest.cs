namespace Coffer.Server.Kms;

/// <param name="Plaintext">The data key to wrap, base64.</param>
internal sealed record KmsEncryptRequest(string? Plaintext);
