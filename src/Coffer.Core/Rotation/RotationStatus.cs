namespace Coffer.Core.Rotation;

public enum RotationStatus
{
    /// <summary>A pending version exists and the next step may run.</summary>
    InProgress,

    /// <summary>A step failed; <c>current</c> is untouched and the same token may retry, or a new token start over.</summary>
    Failed,

    /// <summary>The pending version was promoted to <c>current</c>.</summary>
    Finished,
}
