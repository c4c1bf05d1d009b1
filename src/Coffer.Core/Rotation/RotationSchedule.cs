namespace Coffer.Core.Rotation;

/// <summary>When a secret falls due: its current version's age against its period.</summary>
public static class RotationSchedule
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(90);

    public static readonly TimeSpan DefaultNotifyBefore = TimeSpan.FromDays(7);

    public static DateTimeOffset DueAt(DateTimeOffset currentSince, TimeSpan period) => currentSince + period;

    public static RotationDueState Classify(DateTimeOffset dueAt, TimeSpan notifyBefore, DateTimeOffset now) =>
        now >= dueAt ? RotationDueState.Overdue : now >= dueAt - notifyBefore ? RotationDueState.DueSoon : RotationDueState.Ok;

    /// <summary>Overdue first, most overdue first; then by due date; then by address, so the order is stable.</summary>
    public static IReadOnlyList<T> Order<T>(IEnumerable<T> items, Func<T, DateTimeOffset> dueAt, Func<T, string> address) =>
        items.OrderBy(dueAt).ThenBy(address, StringComparer.Ordinal).ToList();
}
