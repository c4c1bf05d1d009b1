using System.CommandLine;
using Coffer.Kubernetes.Kms;
using Coffer.Storage.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer k8s kms-plugin</c> and <c>coffer k8s encryption-config</c>: Kubernetes encryption at rest with Coffer's keys.</summary>
internal static class K8sKmsCommands
{
    public const string DefaultEndpoint = "unix:///var/run/coffer/kms.sock";

    public static void AddTo(Command k8s, CliEnvironment environment, TextWriter output, TextWriter error)
    {
        k8s.Subcommands.Add(KmsPlugin(environment, output, error));
        k8s.Subcommands.Add(EncryptionConfig(output, error));
    }

    private static Command KmsPlugin(CliEnvironment environment, TextWriter output, TextWriter error)
    {
        var listen = new Option<string>("--listen") { Description = "Unix socket to serve KMS v2 on", DefaultValueFactory = _ => DefaultEndpoint };
        var server = new Option<string?>("--server") { Description = "Forward to this Coffer server (https://...); the key ring stays there" };
        var tokenFile = new Option<string?>("--token-file") { Description = "The plugin's own Coffer token for --server (else $COFFER_TOKEN)" };
        var caFile = new Option<string?>("--ca-file") { Description = "With --server: PEM CA the server's TLS certificate must chain to (else the system's roots)" };
        var data = new Option<string?>("--data") { Description = "Hold the key ring here instead: the Coffer server's --data folder (SQLite)" };
        var unsealKeyFile = new Option<string?>("--unseal-key-file") { Description = "With --data: file (mode 0600) of unseal shares, one per line" };
        var command = new Command("kms-plugin", "Serve the Kubernetes KMS v2 API on a unix socket, wrapping the apiserver's data keys with Coffer's key")
        {
            listen, server, tokenFile, caFile, data, unsealKeyFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var endpoint = parse.GetValue(listen)!;
                _ = Kubernetes.Kms.KmsPlugin.SocketPathOf(endpoint);
                if ((parse.GetValue(server) is null) == (parse.GetValue(data) is null))
                {
                    throw CliException.Usage("give either --server (forward to a Coffer server) or --data with --unseal-key-file (hold the key ring)");
                }

                if (parse.GetValue(server) is { } address)
                {
                    var token = parse.GetValue(tokenFile) is { } path ? (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim() : environment.Variable("COFFER_TOKEN");
                    if (string.IsNullOrEmpty(token))
                    {
                        throw CliException.Usage("--server needs the plugin's token: --token-file or $COFFER_TOKEN");
                    }

                    using var ca = parse.GetValue(caFile) is { } caPath ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(caPath) : null;
                    using var backend = new CofferServerKmsBackend(Client.ConnectionSettings.ParseAddress(address), token, ca);
                    return await ServeAsync(endpoint, backend, $"forwarding to {address}", output, cancellationToken).ConfigureAwait(false);
                }

                var keyFile = parse.GetValue(unsealKeyFile) ?? throw CliException.Usage("--data needs --unseal-key-file");
                if ((File.GetUnixFileMode(keyFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                {
                    throw CliException.Usage($"unseal key file {keyFile} must have mode 0600; run chmod 600 {keyFile}");
                }

                await using var storage = await SqliteStorage.OpenAsync(Path.Combine(parse.GetValue(data)!, SqliteStorage.FileName), cancellationToken).ConfigureAwait(false);
                using var source = await StoredKeyRingSource.UnsealAsync(storage.Installation, await File.ReadAllLinesAsync(keyFile, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                var local = new KeyRingKmsBackend(() => source.Ring, source.RefreshAsync);
                return await ServeAsync(endpoint, local, "holding the key ring", output, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException or Core.Errors.CofferException or System.Security.Cryptography.CryptographicException)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return CliExitCode.Error;
            }
        });
        return command;
    }

    private static async Task<int> ServeAsync(string endpoint, IKmsBackend backend, string mode, TextWriter output, CancellationToken cancellationToken)
    {
        await using var plugin = await Kubernetes.Kms.KmsPlugin.StartAsync(endpoint, backend, LogLevel.Information, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Coffer KMS v2 plugin listening on unix://{plugin.SocketPath} ({mode})").ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await plugin.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop serving.
        }

        return CliExitCode.Ok;
    }

    private static Command EncryptionConfig(TextWriter output, TextWriter error)
    {
        var endpoint = new Option<string>("--endpoint") { Description = "The plugin's socket as kube-apiserver sees it", DefaultValueFactory = _ => DefaultEndpoint };
        var name = new Option<string>("--name") { Description = "Provider name (part of every stored ciphertext; keep it stable)", DefaultValueFactory = _ => "coffer" };
        var resources = new Option<string[]>("--resource") { Description = "Resource to encrypt (repeatable; default: secrets)" };
        var timeout = new Option<int>("--timeout-seconds") { Description = "How long kube-apiserver waits for the plugin", DefaultValueFactory = _ => 3 };
        var file = new Option<string?>("--file") { Description = "Write the configuration here (mode 0600) instead of standard output" };
        var configPath = new Option<string>("--apiserver-path") { Description = "Where the file goes on the control-plane nodes", DefaultValueFactory = _ => "/etc/kubernetes/enc/encryption-config.yaml" };
        var command = new Command("encryption-config", "Write the kube-apiserver EncryptionConfiguration for the Coffer KMS v2 plugin and print the steps to enable it")
        {
            endpoint, name, resources, timeout, file, configPath,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var socket = parse.GetValue(endpoint)!;
            try
            {
                _ = Kubernetes.Kms.KmsPlugin.SocketPathOf(socket);
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return CliExitCode.Usage;
            }

            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 300)
            {
                await error.WriteLineAsync("error: --timeout-seconds must be 1 to 300").ConfigureAwait(false);
                return CliExitCode.Usage;
            }

            var list = parse.GetValue(resources) is { Length: > 0 } given ? given : ["secrets"];
            var yaml = EncryptionConfiguration.ToYaml(parse.GetValue(name)!, socket, list, TimeSpan.FromSeconds(seconds));
            var steps = EncryptionConfiguration.Steps(parse.GetValue(configPath)!, socket);
            if (parse.GetValue(file) is { } path)
            {
                await using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
                await using (var writer = new StreamWriter(stream))
                {
                    await writer.WriteAsync(yaml).ConfigureAwait(false);
                }

                await output.WriteLineAsync($"Wrote {path}.").ConfigureAwait(false);
                await output.WriteAsync(steps).ConfigureAwait(false);
            }
            else
            {
                // The configuration alone on stdout, so it can be redirected to a file; the steps go to stderr.
                await output.WriteAsync(yaml).ConfigureAwait(false);
                await error.WriteAsync(steps).ConfigureAwait(false);
            }

            return CliExitCode.Ok;
        });
        return command;
    }
}
