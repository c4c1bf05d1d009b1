using Coffer.Core.Errors;
using Coffer.Core.Rotation;

namespace Coffer.Core.Tests.Rotation;

public sealed class RotationScheduleTests
{
    private static readonly DateTimeOffset Since = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Classify_BeforeWindow_InWindow_AtAndAfterDue()
    {
        var due = RotationSchedule.DueAt(Since, RotationSchedule.DefaultPeriod);
        Assert.Equal(Since.AddDays(90), due);
        Assert.Equal(RotationDueState.Ok, RotationSchedule.Classify(due, TimeSpan.FromDays(7), due.AddDays(-8)));
        Assert.Equal(RotationDueState.DueSoon, RotationSchedule.Classify(due, TimeSpan.FromDays(7), due.AddDays(-7)));
        Assert.Equal(RotationDueState.Overdue, RotationSchedule.Classify(due, TimeSpan.FromDays(7), due));
    }

    [Fact]
    public void Order_MostOverdueFirst_ThenByName()
    {
        var items = new[] { ("b", Since.AddDays(3)), ("c", Since.AddDays(1)), ("a", Since.AddDays(3)) };
        Assert.Equal(["c", "a", "b"], RotationSchedule.Order(items, i => i.Item2, i => i.Item1).Select(i => i.Item1));
    }

    [Theory]
    [InlineData("90d", 90 * 24 * 60)]
    [InlineData("12h", 12 * 60)]
    [InlineData("30m", 30)]
    public void DurationText_ParsesAndFormatsBack(string text, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), DurationText.Parse(text, "period"));
        Assert.Equal(text, DurationText.Format(TimeSpan.FromMinutes(minutes)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0d")]
    [InlineData("-1d")]
    [InlineData("5w")]
    [InlineData("3651d")]
    [InlineData("1.5d")]
    public void DurationText_Bad_IsInvalidNamingTheField(string text) =>
        Assert.Equal("period", Assert.Throws<CofferException>(() => DurationText.Parse(text, "period")).Field);
}
