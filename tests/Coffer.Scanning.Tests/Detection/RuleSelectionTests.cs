using Coffer.Scanning.Detection;

namespace Coffer.Scanning.Tests.Detection;

public sealed class RuleSelectionTests
{
    [Fact]
    public void InRuleOrder_AddedOutOfOrderAndTwice_EachRuleOnceInOrder()
    {
        var selection = new RuleSelection(6);

        foreach (var rule in new[] { 4, 1, 4, 0, 1 })
        {
            selection.Add(rule);
        }

        Assert.Equal([0, 1, 4], selection.InRuleOrder().ToArray());
        Assert.Equal([true, true, false, false, true, false], selection.ToFlags());
    }

    [Fact]
    public void Clear_AfterAdds_NothingSelectedAndRulesCanBeAddedAgain()
    {
        var selection = new RuleSelection(3);
        selection.Add(2);
        selection.Add(0);

        selection.Clear();
        Assert.Equal(0, selection.InRuleOrder().Length);
        Assert.Equal([false, false, false], selection.ToFlags());

        selection.Add(2);
        Assert.Equal([2], selection.InRuleOrder().ToArray());
    }
}
