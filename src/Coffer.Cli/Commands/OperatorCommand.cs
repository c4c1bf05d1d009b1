using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer operator ...</c>: initialise, unseal, seal and manage the key ring.</summary>
internal static class OperatorCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("operator", "Initialise, unseal, seal and rotate keys; snapshot and move the store");
        globals.AddTo(command);
        command.Subcommands.Add(Init(runner, globals));
        command.Subcommands.Add(Unseal(runner, globals));
        command.Subcommands.Add(Simple(runner, globals, "seal", "Seal the server: it forgets its keys until unsealed again", HttpMethod.Post, "/v1/sys/seal", WriteStatusAsync));
        command.Subcommands.Add(Simple(runner, globals, "status", "Show whether the server is initialised and sealed", HttpMethod.Get, "/v1/sys/seal-status", WriteStatusAsync));
        command.Subcommands.Add(Simple(runner, globals, "rotate", "Add a new key-encryption key for new writes", HttpMethod.Post, "/v1/sys/keys/rotate", WriteKeysAsync));
        command.Subcommands.Add(Rewrap(runner, globals));
        command.Subcommands.Add(GenerateRoot(runner, globals));
        command.Subcommands.Add(SnapshotCommand.Snapshot(runner, globals));
        command.Subcommands.Add(SnapshotCommand.MigrateStorage(runner, globals));
        return command;
    }

    private static Command Init(CommandRunner runner, GlobalOptions globals)
    {
        var shares = new Option<int>("--shares") { Description = "Unseal key shares to create", DefaultValueFactory = _ => 5 };
        var threshold = new Option<int>("--threshold") { Description = "Shares needed to unseal", DefaultValueFactory = _ => 3 };
        var command = new Command("init", "Initialise a new server: prints the unseal keys and root token once") { shares, threshold };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var body = new JsonObject { ["shares"] = context.Value(shares), ["threshold"] = context.Value(threshold) };
            var result = await client.SendAsync(HttpMethod.Post, "/v1/sys/init", body, null, cancellationToken).ConfigureAwait(false);
            if (await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                return CliExitCode.Ok;
            }

            var output = new StringBuilder();
            var keys = result["keys"] as JsonArray ?? [];
            for (var i = 0; i < keys.Count; i++)
            {
                output.Append(CultureInfo.InvariantCulture, $"Unseal key {i + 1}: {Cells.Text(keys[i])}\n");
            }

            output.Append(CultureInfo.InvariantCulture, $"Root token: {Cells.Text(result["rootToken"])}\n\n");
            output.Append(CultureInfo.InvariantCulture, $"Coffer is initialised with {keys.Count} unseal keys; {Cells.Text(result["threshold"])} of them unseal it.\n");
            output.Append("These are shown only once: store each key apart, then run 'coffer operator unseal' with them.\n");
            await context.Output.WriteAsync(output.ToString()).ConfigureAwait(false);
            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Unseal(CommandRunner runner, GlobalOptions globals)
    {
        var share = new Argument<string?>("SHARE") { Description = "An unseal key share (read from standard input when absent)", Arity = ArgumentArity.ZeroOrOne };
        var reset = new Option<bool>("--reset") { Description = "Forget the shares given so far" };
        var command = new Command("unseal", "Give one unseal key share; prints progress n/threshold") { share, reset };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var body = new JsonObject();
            if (context.Value(reset))
            {
                body["reset"] = true;
            }
            else
            {
                body["key"] = context.Value(share) ?? await ReadLineFromStdinAsync(context.Environment, "an unseal key share", cancellationToken).ConfigureAwait(false);
            }

            using var client = context.CreateClient();
            var status = await client.SendAsync(HttpMethod.Post, "/v1/sys/unseal", body, null, cancellationToken).ConfigureAwait(false);
            if (await context.WriteStructuredAsync(status).ConfigureAwait(false))
            {
                return CliExitCode.Ok;
            }

            var line = (bool?)status["sealed"] == false
                ? "Unsealed."
                : $"Unseal progress: {Cells.Text(status["progress"])}/{Cells.Text(status["threshold"])}";
            await context.Output.WriteLineAsync(line).ConfigureAwait(false);
            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Simple(CommandRunner runner, GlobalOptions globals, string verb, string description, HttpMethod method, string path, Func<TextWriter, JsonNode, Task> writeTable)
    {
        var command = new Command(verb, description);
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var result = await client.SendAsync(method, path, null, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                await writeTable(context.Output, result).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Rewrap(CommandRunner runner, GlobalOptions globals)
    {
        var wait = new Option<bool>("--wait") { Description = "Wait until every version is rewrapped, printing progress" };
        var command = new Command("rewrap", "Rewrap every data key under the current key, in the background") { wait };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            // A run reports its remaining count only once it has counted, so the count is taken first.
            var before = await client.GetAsync("/v1/sys/keys", cancellationToken).ConfigureAwait(false);
            var keys = await client.SendAsync(HttpMethod.Post, "/v1/sys/keys/rewrap", null, null, cancellationToken).ConfigureAwait(false);
            // Progress goes to stderr under -o json|yaml so stdout stays one parseable document.
            var progressOutput = context.Format == OutputFormat.Table ? context.Output : context.Error;
            var last = Progress(keys);
            await progressOutput.WriteLineAsync($"rewrap started: {Cells.Text(before["rewrap"]?["remaining"])} to rewrap").ConfigureAwait(false);
            if (context.Value(wait))
            {
                while ((bool?)keys["rewrap"]?["running"] == true)
                {
                    await Task.Delay(context.Environment.PollInterval, context.Environment.TimeProvider, cancellationToken).ConfigureAwait(false);
                    keys = await client.GetAsync("/v1/sys/keys", cancellationToken).ConfigureAwait(false);
                    var now = Progress(keys);
                    if (now != last)
                    {
                        await progressOutput.WriteLineAsync($"rewrap: {now}").ConfigureAwait(false);
                        last = now;
                    }
                }

                if (keys["rewrap"]?["error"] is { } failure)
                {
                    throw new CliException(CliExitCode.Error, $"rewrap failed: {Cells.Text(failure)}");
                }

                var retired = keys["rewrap"]?["retiredKeyIds"] as JsonArray ?? [];
                await progressOutput.WriteLineAsync($"rewrap finished: {Progress(keys)}; retired keys: {(retired.Count == 0 ? "none" : string.Join(", ", retired.Select(Cells.Text)))}").ConfigureAwait(false);
            }

            if (!await context.WriteStructuredAsync(keys).ConfigureAwait(false) && !context.Value(wait))
            {
                await context.Output.WriteLineAsync("Run 'coffer operator rewrap --wait' or 'coffer operator status' to follow it.").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    private static string Progress(JsonNode keys) =>
        $"{Cells.Text(keys["rewrap"]?["rewrapped"])} done, {Cells.Text(keys["rewrap"]?["remaining"])} remaining";

    private static async Task WriteStatusAsync(TextWriter output, JsonNode status)
    {
        var table = TableWriter.WithoutHeader(2);
        table.AddRow("Initialized", Cells.Text(status["initialized"]));
        table.AddRow("Sealed", Cells.Text(status["sealed"]));
        table.AddRow("Shares", Cells.Text(status["shares"]));
        table.AddRow("Threshold", Cells.Text(status["threshold"]));
        table.AddRow("Unseal progress", $"{Cells.Text(status["progress"])}/{Cells.Text(status["threshold"])}");
        table.AddRow("Key ID", Cells.Text(status["keyId"]));
        await table.WriteAsync(output).ConfigureAwait(false);
    }

    private static async Task WriteKeysAsync(TextWriter output, JsonNode keys)
    {
        await output.WriteLineAsync($"Key ring generation {Cells.Text(keys["generation"])}, current key {Cells.Text(keys["currentKeyId"])}; rewrap: {Progress(keys)}").ConfigureAwait(false);
        var table = new TableWriter("KEY", "CURRENT", "VERSIONS", "CREATED", "RETIRED");
        foreach (var key in keys["keys"] as JsonArray ?? [])
        {
            table.AddRow(
                Cells.Text(key?["id"]),
                (bool?)key?["current"] == true ? "*" : string.Empty,
                Cells.Text(key?["versions"]),
                Cells.Time(key?["createdAt"]),
                Cells.Time(key?["retiredAt"]));
        }

        await table.WriteAsync(output).ConfigureAwait(false);
    }

    private static Command GenerateRoot(CommandRunner runner, GlobalOptions globals)
    {
        var keyFile = new Option<string?>("--key-file") { Description = "File of unseal keys, one per line ('#' comments allowed); default: standard input" };
        var command = new Command("generate-root", "Mint a new root token from a quorum of unseal keys (revoke it when done)") { keyFile };
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            string text;
            if (context.Value(keyFile) is { } path)
            {
                text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            }
            else if (context.Environment.InputRedirected)
            {
                using var reader = new StreamReader(context.Environment.Input, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
                text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw CliException.Usage("give the unseal keys with --key-file or on standard input, one per line");
            }

            var keys = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();
            using var client = context.CreateClient();
            var result = await client.SendAsync(HttpMethod.Post, "/v1/sys/generate-root", new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => JsonValue.Create(k))]) }, null, cancellationToken).ConfigureAwait(false);
            if (!await context.WriteStructuredAsync(result).ConfigureAwait(false))
            {
                await context.Output.WriteLineAsync($"Root token (shown once; revoke it with 'coffer token revoke' when done): {Cells.Text(result["token"])}").ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }

    internal static async Task<string> ReadLineFromStdinAsync(CliEnvironment environment, string what, CancellationToken cancellationToken)
    {
        if (!environment.InputRedirected)
        {
            throw CliException.Usage($"give {what} as an argument or pipe it on standard input");
        }

        using var reader = new StreamReader(environment.Input, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var text = (await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Trim();
        return text.Length > 0 && !text.Contains('\n', StringComparison.Ordinal)
            ? text
            : throw CliException.Usage($"standard input must hold exactly one line: {what}");
    }
}
