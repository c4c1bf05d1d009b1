using System.Text;

namespace Coffer.Cli.Input;

/// <summary>Collects a secret's values from literals, files, env files and standard input, refusing duplicate keys.</summary>
internal static class SecretValueSources
{
    public const string Stdin = "-";

    public static async Task<Dictionary<string, byte[]>> ReadAsync(SecretValueOptions options, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var stdinUsed = false;

        for (var i = 0; i < options.Literals.Count; i++)
        {
            var (key, value) = KeyValueArgument.Split(options.Literals[i], "--from-literal", i + 1);
            Add(values, key, Encoding.UTF8.GetBytes(value), "--from-literal");
        }

        for (var i = 0; i < options.Files.Count; i++)
        {
            var text = options.Files[i];
            var (key, path) = text.Contains('=', StringComparison.Ordinal)
                ? KeyValueArgument.Split(text, "--from-file", i + 1)
                : (text == Stdin ? options.StdinKey : Path.GetFileName(text), text);
            if (path == Stdin)
            {
                stdinUsed = UseStdinOnce(stdinUsed);
                Add(values, key, await ReadStdinAsync(environment, cancellationToken).ConfigureAwait(false), "--from-file");
                continue;
            }

            Add(values, key, await ReadFileAsync(path, "--from-file", cancellationToken).ConfigureAwait(false), "--from-file");
        }

        foreach (var path in options.EnvFiles)
        {
            var content = Encoding.UTF8.GetString(await ReadFileAsync(path, "--from-env-file", cancellationToken).ConfigureAwait(false));
            foreach (var (key, value) in ParseEnvFile(content, path))
            {
                Add(values, key, Encoding.UTF8.GetBytes(value), "--from-env-file");
            }
        }

        var nothingElse = values.Count == 0 && !stdinUsed;
        if (options.StdinPlaceholder || (nothingElse && environment.InputRedirected))
        {
            UseStdinOnce(stdinUsed);
            Add(values, options.StdinKey, await ReadStdinAsync(environment, cancellationToken).ConfigureAwait(false), "standard input");
        }

        return values.Count > 0
            ? values
            : throw CliException.Usage("no values given: use --from-literal, --from-file, --from-env-file, or pipe a value on standard input");
    }

    /// <summary>Lines of <c>KEY=VALUE</c>; blank lines and lines starting with <c>#</c> are skipped; values are taken as they are.</summary>
    public static IEnumerable<(string Key, string Value)> ParseEnvFile(string content, string path)
    {
        var lines = content.Split('\n');
        var parsed = new List<(string, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? trimmed[..equals] : string.Empty;
            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
            {
                throw CliException.Usage($"--from-env-file {path}: line {i + 1} is not KEY=VALUE");
            }

            parsed.Add((key, trimmed[(equals + 1)..]));
        }

        return parsed;
    }

    private static bool UseStdinOnce(bool alreadyUsed) =>
        alreadyUsed ? throw CliException.Usage("standard input can supply only one value") : true;

    private static void Add(Dictionary<string, byte[]> values, string key, byte[] value, string source)
    {
        if (!values.TryAdd(key, value))
        {
            throw CliException.Usage($"key '{key}' is given more than once (again by {source})");
        }
    }

    private static async Task<byte[]> ReadFileAsync(string path, string option, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw CliException.Usage($"{option}: {path} is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw CliException.Usage($"{option}: file {path} does not exist");
        }

        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadStdinAsync(CliEnvironment environment, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await environment.Input.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
