using Coffer.Core.Secrets;

namespace Coffer.Server.Rotation;

/// <summary>What a rotator is told about the rotation it serves; <see cref="ReadSecret"/> reads another secret of the same namespace.</summary>
internal sealed record RotationContext(
    SecretAddress Address,
    RotationPolicyDocument Policy,
    string Token,
    long Version,
    Func<string, CancellationToken, Task<SecretData>> ReadSecret);
