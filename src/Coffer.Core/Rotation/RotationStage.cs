namespace Coffer.Core.Rotation;

/// <summary>The labels a rotation moves: each is on at most one version of a secret.</summary>
public enum RotationStage
{
    Current,
    Previous,
    Pending,
}
