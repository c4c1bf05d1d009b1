using MAB.DotIgnore;

namespace Coffer.Scanning.Sources;

/// <summary>Files under the given paths, honouring each folder's <c>.gitignore</c> and skipping <c>.git</c>; named files are always included.</summary>
public static class FileEnumerator
{
    public static IEnumerable<ScanTarget> Enumerate(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                yield return new ScanTarget(path, DisplayPath(path));
            }
            else if (Directory.Exists(path))
            {
                foreach (var target in Walk(path, path, []))
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

    private static IEnumerable<ScanTarget> Walk(string root, string directory, IReadOnlyList<(string Base, IgnoreList Rules)> inherited)
    {
        var ignores = inherited;
        var gitignore = Path.Combine(directory, ".gitignore");
        if (File.Exists(gitignore))
        {
            ignores = [.. inherited, (directory, new IgnoreList(gitignore))];
        }

        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            var isDirectory = Directory.Exists(entry);
            if ((isDirectory && Path.GetFileName(entry) == ".git") || IsIgnored(entry, isDirectory, ignores) || new FileInfo(entry).LinkTarget is not null)
            {
                continue;
            }

            if (isDirectory)
            {
                foreach (var target in Walk(root, entry, ignores))
                {
                    yield return target;
                }
            }
            else
            {
                yield return new ScanTarget(entry, DisplayPath(entry));
            }
        }
    }

    private static bool IsIgnored(string entry, bool isDirectory, IReadOnlyList<(string Base, IgnoreList Rules)> ignores) =>
        ignores.Any(i => i.Rules.IsIgnored(Path.GetRelativePath(i.Base, entry).Replace('\\', '/'), isDirectory));

    private static string DisplayPath(string path) => path.Replace('\\', '/').Replace("/./", "/", StringComparison.Ordinal) is var p && p.StartsWith("./", StringComparison.Ordinal) ? p[2..] : p;
}
