using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Cli.Configuration;

/// <summary>The config file: JSON with <c>address</c> and <c>token</c>, owner-only (0600) from the moment it exists.</summary>
internal static class CliConfigFile
{
    public const string PathVariable = "COFFER_CONFIG";
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string PathFor(CliEnvironment environment)
    {
        if (environment.Variable(PathVariable) is { } explicitPath)
        {
            return explicitPath;
        }

        var configHome = environment.Variable("XDG_CONFIG_HOME") ?? Path.Combine(environment.HomeDirectory, ".config");
        return Path.Combine(configHome, "coffer", "config");
    }

    public static CliConfig? Load(CliEnvironment environment)
    {
        var path = PathFor(environment);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var document = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CliException(CliExitCode.Error, $"config file {path} must hold a JSON object");
            return new CliConfig(Text(document, "address", path), Text(document, "token", path));
        }
        catch (JsonException)
        {
            // The parser's message may quote the token, so only the path is reported.
            throw new CliException(CliExitCode.Error, $"config file {path} is not valid JSON; run 'coffer login' again or delete it");
        }
    }

    /// <summary>Writes a new file created with mode 0600 and renames it over the old one, so no reader sees a partial or loose file.</summary>
    public static async Task SaveAsync(string path, CliConfig config, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var document = new JsonObject { ["address"] = config.Address, ["token"] = config.Token };
        var bytes = Encoding.UTF8.GetBytes(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = OwnerOnly };
            var stream = new FileStream(temporary, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static string? Text(JsonObject document, string field, string path) => document[field] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => (string?)value,
        _ => throw new CliException(CliExitCode.Error, $"config file {path}: '{field}' must be a string"),
    };
}
