namespace Coffer.Server.Kms;

/// <param name="Plaintext">The data key, base64.</param>
internal sealed record KmsDecryptResponse(string Plaintext);
