using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Coffer.Kubernetes.Injection;
using Coffer.Kubernetes.Operator;
using Coffer.Kubernetes.Webhook;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Cli.Commands;

/// <summary><c>coffer k8s ...</c>: the in-cluster parts: the operator, the injection webhook, and the fetcher it injects.</summary>
internal static class K8sCommand
{
    private const string ServiceAccountTokenFile = "/var/run/secrets/coffer/token";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("k8s", "Kubernetes integration: the operator, the injection webhook, the fetcher it injects, the KMS v2 plugin and its EncryptionConfiguration");
        command.Subcommands.Add(Controller(error));
        command.Subcommands.Add(Webhook(output));
        command.Subcommands.Add(Fetch(error));
        return command;
    }

    private static Option<string> Address() => new("--address")
    {
        Description = "Coffer server URL (default: $COFFER_ADDR)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COFFER_ADDR") ?? "https://coffer.coffer-system.svc:8200",
    };

    private const int MinHashKeyBytes = 32;

    private static Command Controller(TextWriter error)
    {
        var address = Address();
        var ca = new Option<string?>("--ca-file") { Description = "PEM CA of the Coffer server (default: the system's trust store)" };
        var token = new Option<string>("--token-file") { Description = "Projected service-account token with audience coffer", DefaultValueFactory = _ => ServiceAccountTokenFile };
        var hashKey = new Option<string>("--hash-key-file") { Description = "Random key (32 bytes or more) for the data hashes in statuses and pod templates", Required = true };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Use this kubeconfig instead of the in-cluster service account" };
        var resync = new Option<int>("--resync-seconds") { Description = "Safety-net resync of everything from Coffer", DefaultValueFactory = _ => (int)ControllerOptions.DefaultResync.TotalSeconds };
        var debounce = new Option<int>("--reload-debounce-ms") { Description = "Quiet time before workloads are restarted after a burst of changes", DefaultValueFactory = _ => (int)ControllerOptions.DefaultReloadDebounce.TotalMilliseconds };
        var noSealed = new Option<bool>("--no-sealed-secrets") { Description = "Leave SealedSecrets (bitnami.com/v1alpha1) alone: do not unseal them into native Secrets" };
        var command = new Command("controller", "Keep CofferSecrets' native Secrets in step with Coffer, unseal SealedSecrets, and restart the workloads that use them")
        {
            address, ca, token, hashKey, kubeconfig, resync, debounce, noSealed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(address), UriKind.Absolute, out var coffer) || parse.GetValue(resync) < 1 || parse.GetValue(debounce) < 0)
            {
                await error.WriteLineAsync("error: --address must be a URL, --resync-seconds positive and --reload-debounce-ms not negative").ConfigureAwait(false);
                return CliExitCode.Usage;
            }

            // Unkeyed, the hashes in statuses and pod templates would let anyone who reads them test guesses of the values.
            var keyFile = new FileInfo(parse.GetValue(hashKey)!);
            if (!keyFile.Exists || keyFile.Length < MinHashKeyBytes)
            {
                await error.WriteLineAsync($"error: --hash-key-file must name a file of at least {MinHashKeyBytes} random bytes (head -c 32 /dev/urandom > key)").ConfigureAwait(false);
                return CliExitCode.Usage;
            }

            using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
            await ControllerHost.RunAsync(
                new ControllerHostOptions(
                    coffer,
                    parse.GetValue(ca),
                    parse.GetValue(token)!,
                    keyFile.FullName,
                    parse.GetValue(kubeconfig),
                    TimeSpan.FromSeconds(parse.GetValue(resync)),
                    TimeSpan.FromMilliseconds(parse.GetValue(debounce)),
                    !parse.GetValue(noSealed)),
                logging,
                cancellationToken).ConfigureAwait(false);
            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Webhook(TextWriter output)
    {
        var listen = new Option<string>("--listen") { Description = "ADDRESS:PORT to serve HTTPS on", DefaultValueFactory = _ => "0.0.0.0:8443" };
        var cert = new Option<string>("--tls-cert") { Description = "PEM certificate the API server trusts (caBundle of the webhook configuration)", Required = true };
        var key = new Option<string>("--tls-key") { Description = "PEM private key of --tls-cert", Required = true };
        var image = new Option<string>("--image") { Description = "Image of the injected init container and sidecar", Required = true };
        var address = Address();
        var audience = new Option<string>("--audience") { Description = "Audience of the pods' projected tokens", DefaultValueFactory = _ => "coffer" };
        var command = new Command("webhook", "Serve the mutating admission webhook that injects secrets into pods that ask for them")
        {
            listen, cert, key, image, address, audience,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var endpoint = IPEndPoint.Parse(parse.GetValue(listen)!);
            using var certificate = X509Certificate2.CreateFromPemFile(parse.GetValue(cert)!, parse.GetValue(key));
            await using var app = WebhookServer.Build(endpoint, certificate, new InjectionOptions(parse.GetValue(image)!, parse.GetValue(address)!, parse.GetValue(audience)!));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Webhook listening on https://{endpoint}/mutate").ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return CliExitCode.Ok;
        });
        return command;
    }

    private static Command Fetch(TextWriter error)
    {
        var address = Address();
        var ca = new Option<string?>("--ca-file") { Description = "PEM CA of the Coffer server" };
        var role = new Option<string>("--role") { Description = "Coffer Kubernetes login role", Required = true };
        var token = new Option<string>("--token-file") { Description = "The pod's projected service-account token", DefaultValueFactory = _ => ServiceAccountTokenFile };
        var outDir = new Option<string>("--out") { Description = "Folder (an in-memory volume) to write alias/key files into", Required = true };
        var secrets = new Option<string[]>("--secret") { Description = "alias=namespace/name (repeatable)", Required = true };
        var watch = new Option<bool>("--watch") { Description = "Keep the files current until stopped" };
        var command = new Command("fetch", "Write Coffer secrets as files, logging in with the pod's service account (the injected init container)")
        {
            address, ca, role, token, outDir, secrets, watch,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            List<FetchRequest> requests;
            try
            {
                requests = [.. parse.GetValue(secrets)!.Select(FetchRequest.Parse)];
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync($"error: --secret {e.Message}").ConfigureAwait(false);
                return CliExitCode.Usage;
            }

            using var handler = ControllerHost.CofferHandler(parse.GetValue(ca));
            using var http = new HttpClient(handler) { BaseAddress = new Uri(parse.GetValue(address)!), Timeout = Timeout.InfiniteTimeSpan };
            var tokenFile = parse.GetValue(token)!;
            var connection = new CofferConnection(http, async ct => (await File.ReadAllTextAsync(tokenFile, ct).ConfigureAwait(false)).Trim(), TimeProvider.System);
            try
            {
                await new SecretFileWriter(connection, parse.GetValue(role)!, parse.GetValue(outDir)!).RunAsync(requests, parse.GetValue(watch), cancellationToken).ConfigureAwait(false);
            }
            catch (CofferRequestFailed e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return CliExitCode.ForHttpStatus((int)e.Status);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or InvalidDataException)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return CliExitCode.Error;
            }

            return CliExitCode.Ok;
        });
        return command;
    }
}
