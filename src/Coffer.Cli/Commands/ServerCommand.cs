using System.CommandLine;
using Coffer.Core.Errors;
using Coffer.Server;
using Coffer.Server.Alerts;
using Coffer.Server.Audit;

namespace Coffer.Cli.Commands;

internal static class ServerCommand
{
    public static Command Create(TextWriter output)
    {
        var dev = new Option<bool>("--dev") { Description = "Initialise and unseal with an in-memory root key and print a root token (loopback only)" };
        var data = new Option<string?>("--data") { Description = "Folder for the database (dev mode: a temporary folder if absent)" };
        var listen = new Option<string>("--listen") { Description = "ADDRESS:PORT to listen on", DefaultValueFactory = _ => CofferServerOptions.DefaultListen };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate for HTTPS" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key for HTTPS" };
        var insecure = new Option<bool>("--insecure-listen") { Description = "Serve plain HTTP without --dev (loopback addresses only)" };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL connection string, shared by replicas (default: $COFFER_POSTGRES; keep passwords out of it, use PGPASSFILE)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COFFER_POSTGRES") is { Length: > 0 } value ? value : null,
        };
        var unsealKeyFile = new Option<string?>("--unseal-key-file") { Description = "File (mode 0600) of unseal shares, one per line, used at start" };
        var k8sIssuer = new Option<string?>("--kubernetes-issuer") { Description = "Accept service-account logins from this cluster issuer (its 'iss')" };
        var k8sJwks = new Option<string?>("--kubernetes-jwks") { Description = "The cluster's service-account signing keys: a JWKS file (kubectl get --raw /openid/v1/jwks) or its https URL" };
        var k8sAudience = new Option<string[]>("--kubernetes-audience") { Description = "Audience service-account tokens must carry (repeatable; default: coffer)" };
        var auditDir = new Option<string?>("--audit-dir") { Description = "Folder for the audit log and its signing key (default: audit/ in --data, ./coffer-audit with --postgres); one per replica" };
        var auditPolicy = new Option<string?>("--audit-policy") { Description = "Audit policy YAML (audit.k8s.io/v1 Policy: levels None, Metadata, Request, RequestResponse per user, group, verb, resource, namespace)" };
        var auditStdout = new Option<bool>("--audit-stdout") { Description = "Also write audit entries to standard output as JSON lines" };
        var auditForward = new Option<string?>("--audit-forward") { Description = "Also forward audit entries to this SIEM URL (batched JSON lines, retried with backoff; bearer token from COFFER_AUDIT_FORWARD_TOKEN)" };
        var auditMaxSize = new Option<long>("--audit-max-file-size") { Description = "Rotate the audit file past this many bytes; the chain runs on across files (0: never)", DefaultValueFactory = _ => 100L * 1024 * 1024 };
        var alertWebhook = new Option<string?>("--alert-webhook") { Description = "Post irregular-access alerts to this URL as Slack-compatible JSON" };
        var k8sApi = new Option<string?>("--kubernetes-api") { Description = "Check service-account logins online via this API server's TokenReview (instead of --kubernetes-jwks)" };
        var k8sToken = new Option<string?>("--kubernetes-token-file") { Description = "Coffer's own token for --kubernetes-api (default: the pod's service-account token)" };
        var k8sCa = new Option<string?>("--kubernetes-ca") { Description = "PEM CA of --kubernetes-api (default: the pod's service-account ca.crt)" };
        var oidcIssuer = new Option<string?>("--oidc-issuer") { Description = "Accept people's ID tokens from this OIDC issuer" };
        var oidcJwks = new Option<string?>("--oidc-jwks") { Description = "The identity provider's signing keys: a JWKS file or its https URL" };
        var oidcAudience = new Option<string[]>("--oidc-audience") { Description = "Client ID that ID tokens must be issued for (repeatable)" };
        var oidcUser = new Option<string>("--oidc-username-claim") { Description = "Claim naming the user", DefaultValueFactory = _ => "sub" };
        var oidcGroups = new Option<string>("--oidc-groups-claim") { Description = "Claim listing the user's groups", DefaultValueFactory = _ => "groups" };
        var command = new Command("server", "Run the Coffer server")
        {
            dev, data, listen, tlsCert, tlsKey, insecure, postgres, unsealKeyFile, auditDir, auditPolicy, auditStdout, auditForward, auditMaxSize, alertWebhook, k8sIssuer, k8sJwks, k8sAudience, k8sApi, k8sToken, k8sCa, oidcIssuer, oidcJwks, oidcAudience, oidcUser, oidcGroups,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var options = new CofferServerOptions
                {
                    Dev = parse.GetValue(dev),
                    DataDirectory = parse.GetValue(data),
                    PostgresConnectionString = parse.GetValue(postgres),
                    Listen = parse.GetValue(listen)!,
                    TlsCertificatePath = parse.GetValue(tlsCert),
                    TlsKeyPath = parse.GetValue(tlsKey),
                    InsecureListen = parse.GetValue(insecure),
                    UnsealKeyFile = parse.GetValue(unsealKeyFile),
                    AuditDirectory = parse.GetValue(auditDir),
                    AuditStdout = parse.GetValue(auditStdout),
                    AuditForwardUrl = parse.GetValue(auditForward) is { } forward
                        ? Uri.TryCreate(forward, UriKind.Absolute, out var forwardUri) ? forwardUri : throw CofferException.Invalid("InvalidAuditOptions", "--audit-forward must be an absolute URL", "audit-forward")
                        : null,
                    AuditForwardToken = Environment.GetEnvironmentVariable("COFFER_AUDIT_FORWARD_TOKEN") is { Length: > 0 } forwardToken ? forwardToken : null,
                    AuditFileMaxBytes = parse.GetValue(auditMaxSize),
                    AuditPolicy = parse.GetValue(auditPolicy) is { } policyPath ? AuditPolicy.Parse(await File.ReadAllTextAsync(policyPath, cancellationToken).ConfigureAwait(false)) : null,
                    Alerts = new AlertOptions
                    {
                        WebhookUrl = parse.GetValue(alertWebhook) is { } hook
                            ? Uri.TryCreate(hook, UriKind.Absolute, out var hookUri) ? hookUri : throw CofferException.Invalid("InvalidAlertOptions", "--alert-webhook must be an absolute URL", "alert-webhook")
                            : null,
                    },
                    KubernetesAuth = Provider(parse.GetValue(k8sIssuer), parse.GetValue(k8sJwks), parse.GetValue(k8sAudience) is { Length: > 0 } k ? k : ["coffer"], "kubernetes"),
                    KubernetesTokenReview = parse.GetValue(k8sApi) is { } api
                        ? new TokenReviewOptions
                        {
                            ApiServer = Uri.TryCreate(api, UriKind.Absolute, out var apiUri) ? apiUri : throw new CofferException(ErrorKind.Invalid, "InvalidLogin", "--kubernetes-api must be a URL"),
                            TokenPath = parse.GetValue(k8sToken) ?? InCluster("token"),
                            CaPath = parse.GetValue(k8sCa) ?? InCluster("ca.crt"),
                            Audiences = parse.GetValue(k8sAudience) is { Length: > 0 } ra ? ra : ["coffer"],
                        }
                        : null,
                    OidcAuth = Provider(parse.GetValue(oidcIssuer), parse.GetValue(oidcJwks), parse.GetValue(oidcAudience) ?? [], "oidc") is { } oidc
                        ? oidc with { UsernameClaim = parse.GetValue(oidcUser)!, GroupsClaim = parse.GetValue(oidcGroups)! }
                        : null,
                };
                await using var server = await CofferServer.StartAsync(options, output, cancellationToken).ConfigureAwait(false);
                await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (CofferException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    private static string? InCluster(string file) =>
        Path.Combine("/var/run/secrets/kubernetes.io/serviceaccount", file) is var path && File.Exists(path) ? path : null;

    private static IdentityProviderOptions? Provider(string? issuer, string? jwks, string[] audiences, string prefix) =>
        (issuer, jwks) switch
        {
            (null, null) => null,
            ({ } i, { } j) => new IdentityProviderOptions { Issuer = i, JwksPath = j, Audiences = audiences },
            _ => throw new CofferException(ErrorKind.Invalid, "InvalidLogin", $"--{prefix}-issuer and --{prefix}-jwks must be given together"),
        };
}
