using System.IO.Enumeration;
using MAB.DotIgnore;

namespace Coffer.Scanning.Sources;

/// <summary>Files under the given paths, honouring each folder's <c>.gitignore</c> and skipping <c>.git</c> and symbolic links; named files are always included.</summary>
public static class FileEnumerator
{
    public static IEnumerable<ScanTarget> Enumerate(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                yield return new ScanTarget(Path.GetFullPath(path), DisplayPath(path), new FileInfo(path).Length);
            }
            else if (Directory.Exists(path))
            {
                foreach (var target in Walk(Path.GetFullPath(path), path, []))
                {
                    yield return target;
                }
            }
            else
            {
                throw new FileNotFoundException($"path {path} does not exist", path);
            }
        }
    }

    /// <param name="directory">Absolute, so ignore rules and file opens never ask for the working folder.</param>
    /// <param name="shown">The same folder as the user named it, for the paths findings report.</param>
    private static IEnumerable<ScanTarget> Walk(string directory, string shown, IReadOnlyList<(string Base, IgnoreList Rules)> inherited)
    {
        var ignores = inherited;
        var gitignore = Path.Join(directory, ".gitignore");
        if (File.Exists(gitignore))
        {
            ignores = [.. inherited, (directory, new IgnoreList(gitignore))];
        }

        List<Entry> entries;
        try
        {
            // One directory read gives each entry's kind and size (a stat at most), where separate calls took five.
            entries = [.. new FileSystemEnumerable<Entry>(directory, Describe, new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false })
                .OrderBy(e => e.Name, StringComparer.Ordinal)];
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            var fullPath = Path.Join(directory, entry.Name);
            if (entry.IsLink || (entry.IsDirectory && entry.Name == ".git") || IsIgnored(fullPath, entry.IsDirectory, ignores))
            {
                continue;
            }

            var shownPath = Path.Combine(shown, entry.Name);
            if (entry.IsDirectory)
            {
                foreach (var target in Walk(fullPath, shownPath, ignores))
                {
                    yield return target;
                }
            }
            else
            {
                yield return new ScanTarget(fullPath, DisplayPath(shownPath), entry.Length);
            }
        }
    }

    private static Entry Describe(ref FileSystemEntry entry)
    {
        var isLink = (entry.Attributes & FileAttributes.ReparsePoint) != 0;
        return new Entry(entry.FileName.ToString(), entry.IsDirectory, isLink, isLink || entry.IsDirectory ? 0 : entry.Length);
    }

    private static bool IsIgnored(string entry, bool isDirectory, IReadOnlyList<(string Base, IgnoreList Rules)> ignores) =>
        ignores.Any(i => i.Rules.IsIgnored(Path.GetRelativePath(i.Base, entry).Replace('\\', '/'), isDirectory));

    private static string DisplayPath(string path) => path.Replace('\\', '/').Replace("/./", "/", StringComparison.Ordinal) is var p && p.StartsWith("./", StringComparison.Ordinal) ? p[2..] : p;

    private readonly record struct Entry(string Name, bool IsDirectory, bool IsLink, long Length);
}
