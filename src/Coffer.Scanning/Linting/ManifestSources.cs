using System.Text;
using Coffer.Scanning.Sources;

namespace Coffer.Scanning.Linting;

/// <summary>Reads manifests from files, folders (YAML and JSON files only) and streams, refusing anything larger than the reader accepts.</summary>
public static class ManifestSources
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static async Task<IReadOnlyList<ManifestSource>> ReadPathsAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var sources = new List<ManifestSource>();
        foreach (var path in paths)
        {
            // A file named on the command line is read whatever its extension; a folder contributes only manifest files.
            var named = File.Exists(path);
            foreach (var target in FileEnumerator.Enumerate([path]).Where(t => named || Extensions.Contains(Path.GetExtension(t.FullPath), StringComparer.OrdinalIgnoreCase)))
            {
                if (new FileInfo(target.FullPath).Length > ManifestReader.MaxChars)
                {
                    throw new ManifestParseException($"{target.DisplayPath}: larger than {ManifestReader.MaxChars / (1024 * 1024)} MiB; split the manifests into smaller files");
                }

                sources.Add(new ManifestSource(target.DisplayPath, await File.ReadAllTextAsync(target.FullPath, cancellationToken).ConfigureAwait(false)));
            }
        }

        return sources;
    }

    /// <summary>Reads at most one character past the limit, so an endless pipe fails fast instead of filling memory.</summary>
    public static async Task<ManifestSource> ReadStreamAsync(string displayPath, Stream stream, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var buffer = new char[ManifestReader.MaxChars + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (length > ManifestReader.MaxChars)
        {
            throw new ManifestParseException($"{displayPath}: larger than {ManifestReader.MaxChars / (1024 * 1024)} MiB; split the manifests into smaller files");
        }

        return new ManifestSource(displayPath, new string(buffer, 0, length));
    }
}
