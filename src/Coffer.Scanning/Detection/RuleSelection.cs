namespace Coffer.Scanning.Detection;

/// <summary>
/// The rules a line's keywords select: a flag a rule keeps it selected once, and a list so the detector visits those few
/// rules rather than every rule's flag. One selection serves one thread, line after line.
/// </summary>
internal sealed class RuleSelection(int rules)
{
    private readonly bool[] flags = new bool[rules];
    private readonly int[] chosen = new int[rules];
    private int count;

    public void Add(int rule)
    {
        if (!flags[rule])
        {
            flags[rule] = true;
            chosen[count++] = rule;
        }
    }

    public void Clear()
    {
        foreach (var rule in chosen.AsSpan(0, count))
        {
            flags[rule] = false;
        }

        count = 0;
    }

    /// <summary>The selected rules in rule order, which decides which rule reports a secret two rules match.</summary>
    public ReadOnlySpan<int> InRuleOrder()
    {
        var selected = chosen.AsSpan(0, count);
        selected.Sort();
        return selected;
    }

    /// <summary>Every rule's flag, for tests.</summary>
    internal bool[] ToFlags() => (bool[])flags.Clone();
}
