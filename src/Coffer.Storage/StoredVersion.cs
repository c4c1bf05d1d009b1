using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <summary>A secret's metadata with one version's record; <see cref="Payload"/> is null once destroyed.</summary>
public sealed record StoredVersion(SecretMetadata Secret, SecretVersionInfo? Version, SealedPayload? Payload);
