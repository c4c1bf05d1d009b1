using System.Text;

namespace Coffer.Scanning.Detection;

/// <summary>
/// All keywords of a rule set as one automaton over UTF-8 bytes (Aho-Corasick, made a dense table): one table step a
/// byte finds every keyword and the rules it selects, with no decoding to UTF-16 and no second search of the line.
/// ASCII letters match either case; built only when every keyword is ASCII and every rule has one.
/// </summary>
internal sealed class KeywordAutomaton
{
    /// <summary>Beyond this the table outgrows the processor's caches; the character search serves instead.</summary>
    private const int MaxStates = 8192;

    private readonly byte[] classOf = new byte[256];
    private readonly int classes;

    /// <summary>Next state by state and byte class, each entry already multiplied by <see cref="classes"/> (a row offset).</summary>
    private readonly int[] table;

    /// <summary>Row offsets from here on are states where some keyword ends (states are numbered so they come last).</summary>
    private readonly int firstAccepting;

    /// <summary>For each accepting state (from <see cref="firstAccepting"/>), the rules its keywords select.</summary>
    private readonly int[][] rulesAt;

    private KeywordAutomaton(byte[] classOf, int classes, int[] table, int firstAccepting, int[][] rulesAt)
    {
        this.classOf = classOf;
        this.classes = classes;
        this.table = table;
        this.firstAccepting = firstAccepting;
        this.rulesAt = rulesAt;
    }

    /// <summary>Null when some rule has no keyword, a keyword is not ASCII, or the automaton would be too large.</summary>
    public static KeywordAutomaton? TryBuild(IReadOnlyList<IReadOnlyList<string>> keywordsPerRule)
    {
        // A keyword across a line break would tie lines together, and lines are searched independently.
        if (keywordsPerRule.Count == 0 || keywordsPerRule.Any(k => k.Count == 0 || k.Any(w => w.Length == 0 || !Ascii.IsValid(w) || w.Contains('\n', StringComparison.Ordinal))))
        {
            return null;
        }

        var classOf = new byte[256];
        var used = keywordsPerRule.SelectMany(k => k).SelectMany(w => w.ToLowerInvariant()).Distinct().Order().ToList();
        if (used.Count >= byte.MaxValue)
        {
            return null;
        }

        // Class 0: every byte in no keyword (non-ASCII bytes included), which always leads back to the start.
        for (var i = 0; i < used.Count; i++)
        {
            classOf[used[i]] = (byte)(i + 1);
            if (char.IsAsciiLetterLower(used[i]))
            {
                classOf[char.ToUpperInvariant(used[i])] = (byte)(i + 1);
            }
        }

        var classes = used.Count + 1;
        var trie = new List<int[]> { new int[classes] };
        var output = new List<HashSet<int>> { new() };
        for (var rule = 0; rule < keywordsPerRule.Count; rule++)
        {
            foreach (var keyword in keywordsPerRule[rule])
            {
                var state = 0;
                foreach (var c in keyword.ToLowerInvariant())
                {
                    var cls = classOf[c];
                    if (trie[state][cls] == 0)
                    {
                        trie.Add(new int[classes]);
                        output.Add([]);
                        trie[state][cls] = trie.Count - 1;
                    }

                    state = trie[state][cls];
                }

                output[state].Add(rule);
            }
        }

        if (trie.Count > MaxStates)
        {
            return null;
        }

        // Breadth first: each state's missing moves are its fallback's, and it selects its fallback's rules too.
        var fallback = new int[trie.Count];
        var queue = new Queue<int>();
        for (var cls = 1; cls < classes; cls++)
        {
            if (trie[0][cls] != 0)
            {
                queue.Enqueue(trie[0][cls]);
            }
        }

        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            output[state].UnionWith(output[fallback[state]]);
            for (var cls = 1; cls < classes; cls++)
            {
                var next = trie[state][cls];
                if (next != 0)
                {
                    fallback[next] = trie[fallback[state]][cls];
                    queue.Enqueue(next);
                }
                else
                {
                    trie[state][cls] = trie[fallback[state]][cls];
                }
            }
        }

        // Renumber: non-accepting states first, so one comparison tells whether a step ended a keyword.
        var order = Enumerable.Range(0, trie.Count).OrderBy(s => output[s].Count > 0 ? 1 : 0).ThenBy(s => s).ToArray();
        var number = new int[trie.Count];
        for (var i = 0; i < order.Length; i++)
        {
            number[order[i]] = i;
        }

        var table = new int[trie.Count * classes];
        for (var state = 0; state < trie.Count; state++)
        {
            for (var cls = 0; cls < classes; cls++)
            {
                table[(number[state] * classes) + cls] = number[trie[state][cls]] * classes;
            }
        }

        var firstAccepting = order.Count(s => output[s].Count == 0);
        var rulesAt = order.Skip(firstAccepting).Select(s => output[s].Order().ToArray()).ToArray();
        return new KeywordAutomaton(classOf, classes, table, firstAccepting * classes, rulesAt);
    }

    /// <summary>
    /// Appends to <paramref name="hits"/>, in order, where the first keyword of each line of <paramref name="text"/> that
    /// holds one ends, and the automaton's state there. The two halves of the text are walked together: each step waits
    /// on the one before it (a table load), so two independent walks take little longer than one.
    /// </summary>
    /// <param name="secondHalf">Scratch for the second half's hits, appended after the first's.</param>
    public void FindLines(ReadOnlySpan<byte> text, List<(int End, int State)> hits, List<(int End, int State)> secondHalf)
    {
        var middle = text[(text.Length / 2)..].IndexOf((byte)'\n');
        var split = middle < 0 ? text.Length : (text.Length / 2) + middle + 1;
        var (a, b) = (0, split);
        var (stateA, stateB) = (0, 0);
        secondHalf.Clear();
        while (a < split && b < text.Length)
        {
            stateA = table[stateA + classOf[text[a]]];
            stateB = table[stateB + classOf[text[b]]];
            a++;
            b++;
            if (stateA >= firstAccepting)
            {
                hits.Add((a - 1, stateA));
                (a, stateA) = (NextLine(text, a, split), 0);
            }

            if (stateB >= firstAccepting)
            {
                secondHalf.Add((b - 1, stateB));
                (b, stateB) = (NextLine(text, b, text.Length), 0);
            }
        }

        Walk(text, a, split, stateA, hits);
        Walk(text, b, text.Length, stateB, secondHalf);
        hits.AddRange(secondHalf);
    }

    /// <summary>Marks the rules of the keyword ending in <paramref name="state"/> and of every keyword ending in <paramref name="rest"/> of its line.</summary>
    public void MarkLine(int state, ReadOnlySpan<byte> rest, RuleSelection active)
    {
        Mark(state, active);
        var current = state;
        foreach (var b in rest)
        {
            current = table[current + classOf[b]];
            if (current >= firstAccepting)
            {
                Mark(current, active);
            }
        }
    }

    /// <summary>One walk alone, from <paramref name="position"/> in <paramref name="state"/> to <paramref name="limit"/>.</summary>
    private void Walk(ReadOnlySpan<byte> text, int position, int limit, int state, List<(int End, int State)> hits)
    {
        while (position < limit)
        {
            state = table[state + classOf[text[position++]]];
            if (state >= firstAccepting)
            {
                hits.Add((position - 1, state));
                (position, state) = (NextLine(text, position, limit), 0);
            }
        }
    }

    /// <summary>Where the line after the one holding <paramref name="from"/> starts (the rest of a keyword's line is left to <see cref="MarkLine"/>).</summary>
    private static int NextLine(ReadOnlySpan<byte> text, int from, int limit)
    {
        var lineEnd = text[from..limit].IndexOf((byte)'\n');
        return lineEnd < 0 ? limit : from + lineEnd + 1;
    }

    private void Mark(int state, RuleSelection active)
    {
        foreach (var rule in rulesAt[(state - firstAccepting) / classes])
        {
            active.Add(rule);
        }
    }
}
