namespace Coffer.Storage;

/// <summary>The stores of rotation and dynamic credentials, which one backend provides together.</summary>
public sealed record RotationStores(ISecretRotationStore Rotations, IRotationObjectStore Objects, ILeaseStore Leases);
