namespace Coffer.Scanning.Detection;

/// <summary>Extends a private-key finding from its BEGIN line to the whole block, so two keys in one file fingerprint apart.</summary>
internal sealed class PrivateKeyCollector(List<Finding> findings)
{
    private const int MaxLines = 400;

    private int index = -1;
    private List<string> block = [];

    public bool IsOpen => index >= 0;

    /// <summary>Called after a line was scanned: starts collecting if that line began a private key.</summary>
    public void Begin(int firstNewFinding)
    {
        for (var i = firstNewFinding; i < findings.Count; i++)
        {
            if (findings[i].RuleId.StartsWith("private-key-", StringComparison.Ordinal) && findings[i].Secret.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                index = i;
                block = [findings[i].Secret];
                return;
            }
        }
    }

    /// <summary>True when the line belonged to an open key block (and so holds nothing else to scan).</summary>
    public bool Add(string line)
    {
        if (index < 0)
        {
            return false;
        }

        block.Add(line.Trim());
        if (line.Contains("-----END", StringComparison.Ordinal) || block.Count > MaxLines)
        {
            findings[index] = findings[index] with { Secret = string.Join('\n', block) };
            index = -1;
        }

        return true;
    }
}
