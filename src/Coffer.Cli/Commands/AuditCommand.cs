using System.CommandLine;
using Coffer.Server.Audit;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer audit verify|checkpoint|hash|search</c>: check a log offline, keep an independent copy of its newest checkpoint, hash a value as the log does.</summary>
internal static class AuditCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var command = new Command("audit", "Verify the tamper-evident audit log");
        globals.AddTo(command);

        var files = new Argument<string[]>("FILE") { Description = "Audit log files, oldest first", Arity = ArgumentArity.OneOrMore };
        var key = new Option<string>("--key") { Description = "The checkpoint key's public half (audit-signing-key.pub.pem)", Required = true };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint kept apart from the log ('coffer audit checkpoint'): the log must reach it" };
        var open = new Option<bool>("--open") { Description = "The server is still writing this log: do not require its final checkpoint" };
        var verify = new Command("verify", "Check the hash chain and signed checkpoints; exit 1 and name the first bad entry if anything was changed") { files, key, checkpoint, open };
        runner.SetAction(verify, globals, async (context, cancellationToken) =>
        {
            var known = context.Value(checkpoint) is { } path ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;
            var result = AuditVerifier.Verify(context.Value(files)!, await File.ReadAllTextAsync(context.Value(key)!, cancellationToken).ConfigureAwait(false), known, context.Value(open));
            if (result.Intact)
            {
                await context.Output.WriteLineAsync($"intact: {result.Entries} entries, {result.Checkpoints} signed checkpoints").ConfigureAwait(false);
                return CliExitCode.Ok;
            }

            var where = result.File is null ? string.Empty : $"{result.File}:{result.Line}: ";
            await context.Output.WriteLineAsync($"TAMPERED: {where}{result.Problem} (after {result.Entries} good entries)").ConfigureAwait(false);
            return CliExitCode.Error;
        });

        var output = new Option<string>("--out") { Description = "Where to save the checkpoint (JSON)", Required = true };
        var latest = new Command("checkpoint", "Save the server's newest signed checkpoint, to verify a log file against later") { output };
        runner.SetAction(latest, globals, async (context, cancellationToken) =>
        {
            using var client = context.CreateClient();
            var answer = await client.GetAsync("/v1/audit/checkpoint", cancellationToken).ConfigureAwait(false);
            var saved = answer["checkpoint"] ?? throw new CliException(CliExitCode.NotFound, "the server has written no checkpoint yet");
            await File.WriteAllTextAsync(context.Value(output)!, saved.ToJsonString(), cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"checkpoint of {saved["count"]} entries saved to {context.Value(output)}").ConfigureAwait(false);
            return CliExitCode.Ok;
        });

        var value = new Argument<string?>("VALUE") { Description = "The value to hash; omit (or '-') to read it from standard input, which keeps it off the command line and shell history", Arity = ArgumentArity.ZeroOrOne };
        var hash = new Command("hash", "Print the HMAC the audit log holds in place of VALUE, to check whether a known value was involved") { value };
        runner.SetAction(hash, globals, async (context, cancellationToken) =>
        {
            var text = context.Value(value) is { } given && given != "-" ? given : (await new StreamReader(context.Environment.Input).ReadToEndAsync(cancellationToken).ConfigureAwait(false)).TrimEnd('\n', '\r');
            using var client = context.CreateClient();
            var answer = await client.SendAsync(HttpMethod.Post, "/v1/audit/hash", new System.Text.Json.Nodes.JsonObject { ["value"] = text }, null, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync((string?)answer["hmac"]).ConfigureAwait(false);
            return CliExitCode.Ok;
        });

        command.Subcommands.Add(verify);
        command.Subcommands.Add(hash);
        command.Subcommands.Add(latest);
        command.Subcommands.Add(AuditSearchCommand.Create(runner, globals));
        return command;
    }
}
