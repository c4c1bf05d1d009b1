using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Scanning.Linting;
using Coffer.Scanning.Migration;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer migrate</c>: stores the literal secrets of YAML manifests in Coffer and rewrites each file to use them.
/// A file is rewritten only once every value it held is stored, so no value is ever lost.
/// </summary>
internal static class MigrateCommand
{
    public const string MigratedFromAnnotation = "coffer.dev/migrated-from";

    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var paths = new Argument<string[]>("PATH") { Description = "YAML manifests, or folders to search for *.yaml and *.yml", Arity = ArgumentArity.OneOrMore };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the changes as a diff (values masked); store and write nothing" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Where a Coffer secret of the same name holds other values, store these as its new version" };
        var command = new Command("migrate", "Move hardcoded secrets from Kubernetes manifests into Coffer and rewrite the manifests to reference them") { paths, dryRun, overwrite };
        globals.AddTo(command);
        globals.Namespace.Description = "Coffer namespace for objects that name none";
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var files = Expand(context.Value(paths) ?? []);
            var options = new MigrationOptions { DefaultNamespace = context.Namespace };
            var dry = context.Value(dryRun);
            using var client = dry ? null : context.CreateClient();
            var refused = 0;
            var planned = new Dictionary<(string Namespace, string Name), string>();
            foreach (var file in files)
            {
                var read = await PlanAsync(context, file, options, cancellationToken).ConfigureAwait(false);
                if (read is not var (plan, bom) || !await UniqueAsync(context, plan, planned).ConfigureAwait(false))
                {
                    refused++;
                    continue;
                }

                if (!plan.Changes)
                {
                    await context.Output.WriteLineAsync($"{file}: no hardcoded secrets").ConfigureAwait(false);
                    continue;
                }

                if (dry)
                {
                    await context.Output.WriteAsync(UnifiedDiff.Create(plan.MaskedOriginal, plan.MaskedRewritten, file)).ConfigureAwait(false);
                    foreach (var secret in plan.Secrets)
                    {
                        await context.Output.WriteLineAsync($"# would store {Describe(secret)}").ConfigureAwait(false);
                    }

                    continue;
                }

                if (!await StoreAllAsync(context, client!, plan, context.Value(overwrite), cancellationToken).ConfigureAwait(false))
                {
                    refused++;
                    continue;
                }

                await WriteAtomicallyAsync(file, plan.Rewritten, bom, cancellationToken).ConfigureAwait(false);
                await context.Output.WriteLineAsync(
                    $"{file}: stored {string.Join(", ", plan.Secrets.Select(Describe))}; replaced {plan.Replacements.ToString(CultureInfo.InvariantCulture)} literal(s)").ConfigureAwait(false);
            }

            return refused > 0 ? CliExitCode.Error : CliExitCode.Ok;
        });
        return command;
    }

    private static string Describe(MigratedSecret secret) =>
        $"{secret.Namespace}/{secret.Name} ({string.Join(", ", secret.Data.Keys)} from {secret.Origin})";

    /// <exception cref="CliException">A path is neither a YAML file nor a folder.</exception>
    private static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories).Where(IsYaml).Order(StringComparer.Ordinal));
            }
            else if (!File.Exists(path))
            {
                throw CliException.Usage($"{path}: no such file or folder");
            }
            else if (!IsYaml(path))
            {
                throw CliException.Usage($"{path}: only YAML manifests (.yaml, .yml) can be rewritten");
            }
            else
            {
                files.Add(path);
            }
        }

        return files;
    }

    private static bool IsYaml(string path) => Path.GetExtension(path) is ".yaml" or ".yml";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The plan and whether the file began with a byte-order mark (kept on rewrite); null when the file is refused.</summary>
    private static async Task<(MigrationPlan Plan, bool Bom)?> PlanAsync(CliContext context, string file, MigrationOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            var bom = bytes.AsSpan().StartsWith("\uFEFF"u8);
            string text;
            try
            {
                text = StrictUtf8.GetString(bytes, bom ? 3 : 0, bytes.Length - (bom ? 3 : 0));
            }
            catch (DecoderFallbackException)
            {
                // Rewriting would replace the bytes that are not UTF-8, changing text outside the secrets.
                throw new MigrationException($"{file}: not UTF-8 text; convert it first");
            }

            return (ManifestMigration.Plan(file, text, options), bom);
        }
        catch (Exception e) when (e is ManifestParseException or MigrationException)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}; {file} left unchanged").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Two objects of one run must not land on one Coffer secret, whichever files they are in.</summary>
    private static async Task<bool> UniqueAsync(CliContext context, MigrationPlan plan, Dictionary<(string Namespace, string Name), string> planned)
    {
        foreach (var secret in plan.Secrets)
        {
            var origin = OriginOf(plan.Path, secret);
            if (planned.TryGetValue((secret.Namespace, secret.Name), out var other) && other != origin)
            {
                await context.Error.WriteLineAsync(
                    $"error: {origin} and {other} would both be stored as {secret.Namespace}/{secret.Name}; rename one of them; {plan.Path} left unchanged").ConfigureAwait(false);
                return false;
            }
        }

        foreach (var secret in plan.Secrets)
        {
            planned[(secret.Namespace, secret.Name)] = OriginOf(plan.Path, secret);
        }

        return true;
    }

    private static string OriginOf(string file, MigratedSecret secret) => $"{file}: {secret.Origin}";

    /// <summary>Stores every secret of the plan; false (the file then stays as it is) when any cannot be stored.</summary>
    private static async Task<bool> StoreAllAsync(CliContext context, CofferClient client, MigrationPlan plan, bool overwrite, CancellationToken cancellationToken)
    {
        foreach (var secret in plan.Secrets)
        {
            try
            {
                await StoreAsync(client, plan.Path, secret, overwrite, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CofferApiException or CliException)
            {
                await context.Error.WriteLineAsync($"error: {plan.Path}: could not store {secret.Namespace}/{secret.Name}: {e.Message}; the file is left unchanged").ConfigureAwait(false);
                return false;
            }
        }

        return true;
    }

    private static async Task StoreAsync(CofferClient client, string file, MigratedSecret secret, bool overwrite, CancellationToken cancellationToken)
    {
        var path = CofferClient.SecretPath(secret.Namespace, secret.Name);
        JsonNode? existing;
        try
        {
            existing = await client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferApiException e) when (e.StatusCode == 404)
        {
            existing = null;
        }

        if (existing is not null && Holds(existing, secret))
        {
            return; // Stored by an earlier run: migrating again changes nothing.
        }

        var origin = OriginOf(file, secret);
        if ((string?)existing?["metadata"]?["annotations"]?[MigratedFromAnnotation] is { } from && from != origin)
        {
            // Overwriting would hand the other object's workloads these values: no flag allows it.
            throw new CliException(CliExitCode.Error, $"a Coffer secret of that name holds other values migrated from {from}; rename one of the objects");
        }

        if (existing is not null && !overwrite)
        {
            throw new CliException(CliExitCode.Error, "a Coffer secret of that name holds other values (pass --overwrite to store these as its new version)");
        }

        var data = new JsonObject();
        foreach (var (key, value) in secret.Data)
        {
            data[key] = Convert.ToBase64String(value);
        }

        var body = new JsonObject
        {
            ["type"] = secret.Type,
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [MigratedFromAnnotation] = origin } },
            ["data"] = data,
        };

        // Create only, or replace exactly the version compared: a concurrent writer gets a 409, not a silent overwrite.
        var expected = existing is null ? 0 : (long?)existing["metadata"]?["currentVersion"] ?? 0;
        await client.SendAsync(HttpMethod.Put, path, body, $"\"{expected.ToString(CultureInfo.InvariantCulture)}\"", cancellationToken).ConfigureAwait(false);
    }

    private static bool Holds(JsonNode existing, MigratedSecret secret)
    {
        var data = existing["data"]?.AsObject();
        if ((string?)existing["type"] != secret.Type || data is null || data.Count != secret.Data.Count)
        {
            return false;
        }

        foreach (var (key, value) in secret.Data)
        {
            if (data[key] is not { } stored || !CryptographicOperations.FixedTimeEquals(Convert.FromBase64String((string)stored!), value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes beside the file and renames over it, so a crash leaves the old file or the new one, never half of each.</summary>
    private static async Task WriteAtomicallyAsync(string file, string text, bool bom, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(file);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.coffer-migrate-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}");
        try
        {
            await File.WriteAllTextAsync(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: bom), cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(full));
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
