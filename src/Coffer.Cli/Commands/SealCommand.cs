using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Crypto.Sealing;
using Coffer.Kubernetes.Sealing;

namespace Coffer.Cli.Commands;

/// <summary>
/// <c>coffer seal</c>: kubeseal's job. A Secret manifest in, a SealedSecret (bitnami.com/v1alpha1) out, sealed to the
/// server's certificate (or one given); only --re-encrypt and --validate need the server's private keys.
/// </summary>
internal static class SealCommand
{
    public static Command Create(CommandRunner runner)
    {
        var globals = new GlobalOptions();
        var input = new Argument<string?>("FILE") { Description = "Secret manifest, YAML or JSON (standard input when absent or '-')", Arity = ArgumentArity.ZeroOrOne };
        var cert = new Option<string?>("--cert") { Description = "Certificate to seal to: a PEM file or an https:// URL (default: the server's /v1/sealing/certificate)" };
        var scope = new Option<string?>("--scope") { Description = "strict (default), namespace-wide or cluster-wide; overrides the Secret's annotations" };
        scope.AcceptOnlyFromAmong("strict", "namespace-wide", "cluster-wide");
        var raw = new Option<bool>("--raw") { Description = "Seal the input's bytes as one value and print its base64 (needs -n, and --name for strict)" };
        var name = new Option<string?>("--name") { Description = "With --raw: the Secret's name" };
        var mergeInto = new Option<string?>("--merge-into") { Description = "Seal the Secret's keys into this SealedSecret file, replacing or adding them" };
        var reEncrypt = new Option<bool>("--re-encrypt") { Description = "Read a SealedSecret and re-encrypt it to the server's newest key" };
        var validate = new Option<bool>("--validate") { Description = "Read a SealedSecret and check the server can unseal it" };
        var format = new Option<string?>("--format") { Description = "yaml or json (default: as the input)" };
        format.AcceptOnlyFromAmong("yaml", "json");
        var command = new Command("seal", "Seal a Secret into a SealedSecret that only the cluster can open (kubeseal compatible)")
        {
            input, cert, scope, raw, name, mergeInto, reEncrypt, validate, format,
        };
        globals.AddTo(command);
        runner.SetAction(command, globals, async (context, cancellationToken) =>
        {
            var modes = new[] { context.Value(raw), context.Value(mergeInto) is not null, context.Value(reEncrypt), context.Value(validate) }.Count(m => m);
            if (modes > 1)
            {
                throw CliException.Usage("--raw, --merge-into, --re-encrypt and --validate exclude each other");
            }

            var text = await ReadInputAsync(context, context.Value(input), cancellationToken).ConfigureAwait(false);
            try
            {
                if (context.Value(raw))
                {
                    using var publicKey = await LoadCertificateAsync(context, context.Value(cert), cancellationToken).ConfigureAwait(false);
                    var value = System.Text.Encoding.UTF8.GetBytes(text);
                    var sealedValue = SecretSealer.SealRaw(value, publicKey, context.Namespace, context.Value(name), ParseScope(context.Value(scope)) ?? SealingScope.Strict);
                    CryptographicOperations.ZeroMemory(value);
                    await context.Output.WriteLineAsync(sealedValue).ConfigureAwait(false);
                    return CliExitCode.Ok;
                }

                var manifest = ManifestText.Parse(text);
                var json = context.Value(format) is { } f ? f == "json" : ManifestText.LooksLikeJson(text);
                if (context.Value(reEncrypt) || context.Value(validate))
                {
                    using var client = context.CreateClient();
                    var path = context.Value(reEncrypt) ? "/v1/sealing/rotate" : "/v1/sealing/verify";
                    var answer = await client.SendAsync(HttpMethod.Post, path, manifest.ToJsonString(), "application/json", null, cancellationToken).ConfigureAwait(false);
                    await context.Output.WriteAsync(context.Value(reEncrypt) ? Write(answer.AsObject(), json) : "SealedSecret is valid: the server can unseal every value\n").ConfigureAwait(false);
                    return CliExitCode.Ok;
                }

                FillNamespace(manifest, context.Namespace);
                using (var publicKey = await LoadCertificateAsync(context, context.Value(cert), cancellationToken).ConfigureAwait(false))
                {
                    if (context.Value(mergeInto) is { } target)
                    {
                        var targetText = await File.ReadAllTextAsync(target, cancellationToken).ConfigureAwait(false);
                        var merged = SecretSealer.MergeInto(ManifestText.Parse(targetText), manifest, publicKey);
                        await File.WriteAllTextAsync(target, Write(merged, ManifestText.LooksLikeJson(targetText)), cancellationToken).ConfigureAwait(false);
                        return CliExitCode.Ok;
                    }

                    await context.Output.WriteAsync(Write(SecretSealer.Seal(manifest, publicKey, ParseScope(context.Value(scope))), json)).ConfigureAwait(false);
                }

                return CliExitCode.Ok;
            }
            catch (ManifestException e)
            {
                throw new CliException(CliExitCode.Invalid, e.Message);
            }
            catch (CryptographicException)
            {
                throw new CliException(CliExitCode.Invalid, "the certificate is not a valid RSA certificate or public key");
            }
        });
        return command;
    }

    private static string Write(JsonObject manifest, bool json) => json ? ManifestText.ToJson(manifest) : ManifestText.ToYaml(manifest);

    private static SealingScope? ParseScope(string? name) => name is null ? null : SealingLabel.TryParse(name);

    /// <summary>As kubeseal takes the context's namespace, a Secret without one takes -n.</summary>
    private static void FillNamespace(JsonObject secret, string ns)
    {
        if (secret["metadata"] is JsonObject metadata && metadata["namespace"] is null)
        {
            metadata["namespace"] = ns;
        }
    }

    private static async Task<string> ReadInputAsync(CliContext context, string? path, CancellationToken cancellationToken)
    {
        if (path is null or "-")
        {
            if (!context.Environment.InputRedirected)
            {
                throw CliException.Usage("give a Secret manifest file, or pipe one to standard input");
            }

            using var reader = new StreamReader(context.Environment.Input, leaveOpen: true);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        if (new FileInfo(path) is { Exists: true, Length: > ManifestText.MaxChars })
        {
            throw new CliException(CliExitCode.Invalid, $"{path} is larger than {ManifestText.MaxChars / (1024 * 1024)} MiB");
        }

        return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<RSA> LoadCertificateAsync(CliContext context, string? cert, CancellationToken cancellationToken)
    {
        string pem;
        if (cert is not null && !cert.StartsWith("http://", StringComparison.Ordinal) && !cert.StartsWith("https://", StringComparison.Ordinal))
        {
            pem = await File.ReadAllTextAsync(cert, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var url = cert is null
                ? new Uri(ConnectionSettings.Resolve(context.AddressFlag, context.TokenFlag, context.Environment).Address, "/v1/sealing/certificate")
                : new Uri(cert);
            using var http = context.Environment.HttpHandler is { } handler ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
            HttpResponseMessage response;
            try
            {
                response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new CliException(CliExitCode.Unavailable, $"cannot fetch the certificate from {url}: {e.HttpRequestError}");
            }

            using var disposeResponse = response;
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(CliExitCode.ForHttpStatus((int)response.StatusCode), $"fetching the certificate from {url} answered {(int)response.StatusCode}");
            }

            pem = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        return SealingCertificate.LoadPublicKey(pem);
    }
}
