namespace Coffer.Scanning.Detection;

/// <summary>Bits per character; random tokens score high, words and placeholders low.</summary>
public static class ShannonEntropy
{
    public static double Of(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        // Runs on every regex match: ASCII counts on the stack, and terms summed in order of first appearance.
        Span<int> ascii = stackalloc int[128];
        var order = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        Dictionary<char, int>? other = null;
        var distinct = 0;
        foreach (var c in text)
        {
            if (c < 128)
            {
                if (ascii[c]++ == 0)
                {
                    order[distinct++] = c;
                }
            }
            else
            {
                other ??= [];
                if (!other.TryGetValue(c, out var count))
                {
                    order[distinct++] = c;
                }

                other[c] = count + 1;
            }
        }

        var entropy = 0.0;
        foreach (var c in order[..distinct])
        {
            var p = (double)(c < 128 ? ascii[c] : other![c]) / text.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }
}
