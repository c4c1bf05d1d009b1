namespace Coffer.Server.Kms;

/// <param name="KeyId">The key new data keys are wrapped with; it changes when the ring rotates.</param>
internal sealed record KmsStatusResponse(string KeyId);
