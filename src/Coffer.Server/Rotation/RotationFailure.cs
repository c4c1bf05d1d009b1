using Coffer.Core.Errors;

namespace Coffer.Server.Rotation;

internal static class RotationFailure
{
    /// <summary>A step that ran and failed: the reason is recorded on the rotation and <c>current</c> is untouched.</summary>
    public static CofferException Step(string message) => CofferException.Conflict("RotationStepFailed", message);
}
