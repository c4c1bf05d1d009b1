namespace Coffer.Scanning.Rules;

/// <summary>A cheap test of one line of text, run before any regex (see <see cref="DetectionRule.Precondition"/>).</summary>
public delegate bool LineTest(ReadOnlySpan<char> line);
