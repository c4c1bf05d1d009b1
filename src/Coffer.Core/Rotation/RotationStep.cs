namespace Coffer.Core.Rotation;

/// <summary>The four steps of a rotation, in order; each may be retried with the same request token.</summary>
public enum RotationStep
{
    Create,
    Set,
    Test,
    Finish,
}
