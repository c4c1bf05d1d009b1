namespace Coffer.Core.Rotation;

public enum RotationDueState
{
    Overdue,
    DueSoon,
    Ok,
}
