using System.Globalization;
using Xunit.Abstractions;

namespace Coffer.Scanning.Tests;

/// <summary>
/// Precision and recall on the labelled corpus under Corpus/. Convention: a line holds a true secret exactly when it contains
/// <see cref="Marker"/>, written inside the secret; the test removes the marker before scanning, which also keeps the files
/// themselves from looking like leaked tokens to push protection and to scanners.
/// </summary>
public sealed class CorpusTests(ITestOutputHelper output) : IDisposable
{
    public const char Marker = '§';

    // Set from the measured figures (docs/performance.md) with a little room; a regression below them fails the build.
    private const double MinPrecision = 0.95;
    private const double MinRecall = 0.9;

    private readonly string folder = Directory.CreateTempSubdirectory("coffer-corpus-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task ScanPathsAsync_LabelledCorpus_PrecisionAndRecallAboveThresholds()
    {
        var corpus = Path.Combine(AppContext.BaseDirectory, "Corpus");
        var labelled = new HashSet<string>(StringComparer.Ordinal);
        var files = Directory.GetFiles(corpus, "*", SearchOption.AllDirectories);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(corpus, file).Replace('\\', '/');
            var lines = await File.ReadAllLinesAsync(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains(Marker, StringComparison.Ordinal))
                {
                    labelled.Add($"{relative}:{i + 1}");
                }
            }

            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllLinesAsync(target, lines.Select(l => l.Replace(Marker.ToString(), string.Empty, StringComparison.Ordinal)));
        }

        var result = await new Scanner(new ScanOptions()).ScanPathsAsync([folder], CancellationToken.None);

        var predicted = result.Findings.ToLookup(f => $"{Path.GetRelativePath(folder, f.Path).Replace('\\', '/')}:{f.Line}", f => f.RuleId, StringComparer.Ordinal);
        var truePositives = predicted.Count(p => labelled.Contains(p.Key));
        var precision = (double)truePositives / predicted.Count;
        var recall = (double)truePositives / labelled.Count;
        foreach (var falsePositive in predicted.Where(p => !labelled.Contains(p.Key)))
        {
            output.WriteLine($"false positive {falsePositive.Key} ({string.Join(", ", falsePositive)})");
        }

        foreach (var missed in labelled.Where(l => !predicted.Contains(l)).Order(StringComparer.Ordinal))
        {
            output.WriteLine($"missed {missed}");
        }

        var figures = string.Create(CultureInfo.InvariantCulture,
            $"{files.Length} files, {labelled.Count} labelled secret lines, {predicted.Count} reported lines, {truePositives} true: precision {precision:F3}, recall {recall:F3}");
        output.WriteLine(figures);
        Assert.True(files.Length >= 25 && labelled.Count >= 50, figures);
        Assert.True(precision >= MinPrecision, figures);
        Assert.True(recall >= MinRecall, figures);
    }
}
