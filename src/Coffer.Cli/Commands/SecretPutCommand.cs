using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Input;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer secret put</c>: writes a new version from literals, files, env files or standard input.</summary>
internal static class SecretPutCommand
{
    public static Command Create(CommandRunner runner, GlobalOptions globals)
    {
        var name = new Argument<string>("NAME") { Description = "Secret name" };
        var source = new Argument<string?>("SOURCE") { Description = "'-' to read one value from standard input", Arity = ArgumentArity.ZeroOrOne };
        var type = new Option<string?>("--type") { Description = "Secret type, e.g. Opaque or kubernetes.io/tls" };
        var literals = new Option<string[]>("--from-literal") { Description = "KEY=VALUE (repeatable)" };
        var files = new Option<string[]>("--from-file") { Description = "KEY=PATH or PATH (key = file name); PATH '-' is standard input (repeatable)" };
        var envFiles = new Option<string[]>("--from-env-file") { Description = "File of KEY=VALUE lines (repeatable)" };
        var stdinKey = new Option<string>("--key") { Description = "Key for a value read from standard input", DefaultValueFactory = _ => "value" };
        var labels = new Option<string[]>("--label", "-l") { Description = "KEY=VALUE label (repeatable)" };
        var annotations = new Option<string[]>("--annotation") { Description = "KEY=VALUE annotation (repeatable)" };
        var immutable = new Option<bool>("--immutable") { Description = "Refuse later writes" };
        var maxVersions = new Option<int?>("--max-versions") { Description = "Versions to keep" };
        var expectVersion = new Option<long?>("--expect-version") { Description = "Write only if the current version is N (0: only if it does not exist)" };
        var command = new Command("put", "Create a secret or write a new version of it")
        {
            name, source, type, literals, files, envFiles, stdinKey, labels, annotations, immutable, maxVersions, expectVersion,
        };

        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var sourceText = context.Value(source);
            if (sourceText is not null and not SecretValueSources.Stdin)
            {
                // The stray argument may be a value typed by mistake, so it is not echoed.
                throw CliException.Usage("only '-' (standard input) may follow the name; give values with --from-literal KEY=VALUE");
            }

            var values = await SecretValueSources.ReadAsync(
                new SecretValueOptions(
                    context.Value(literals) ?? [],
                    context.Value(files) ?? [],
                    context.Value(envFiles) ?? [],
                    sourceText is not null,
                    context.Value(stdinKey) ?? "value"),
                context.Environment,
                cancellationToken).ConfigureAwait(false);

            var data = new JsonObject();
            foreach (var (key, value) in values)
            {
                data[key] = Convert.ToBase64String(value);
            }

            var body = new JsonObject { ["data"] = data };
            var metadata = new JsonObject();
            AddPairs(metadata, "labels", context.Value(labels), "--label");
            AddPairs(metadata, "annotations", context.Value(annotations), "--annotation");
            if (metadata.Count > 0)
            {
                body["metadata"] = metadata;
            }

            if (context.Value(type) is { } secretType)
            {
                body["type"] = secretType;
            }

            if (context.Value(immutable))
            {
                body["immutable"] = true;
            }

            if (context.Value(maxVersions) is { } max)
            {
                body["maxVersions"] = max;
            }

            var ifMatch = context.Value(expectVersion) is { } expected
                ? expected >= 0 ? $"\"{expected.ToString(CultureInfo.InvariantCulture)}\"" : throw CliException.Usage("--expect-version must be 0 or more")
                : null;

            var secretName = context.Value(name)!;
            using var client = context.CreateClient();
            var result = await client.SendAsync(HttpMethod.Put, CofferClient.SecretPath(context.Namespace, secretName), body, ifMatch, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                var version = (long?)result["metadata"]?["currentVersion"] ?? 0;
                await context.Output.WriteLineAsync($"secret/{secretName} {(version == 1 ? "created" : "updated")} (version {version.ToString(CultureInfo.InvariantCulture)})").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static void AddPairs(JsonObject metadata, string field, string[]? pairs, string option)
    {
        if (pairs is not { Length: > 0 })
        {
            return;
        }

        var map = new JsonObject();
        for (var i = 0; i < pairs.Length; i++)
        {
            var (key, value) = KeyValueArgument.Split(pairs[i], option, i + 1);
            map[key] = value;
        }

        metadata[field] = map;
    }
}
